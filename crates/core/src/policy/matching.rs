//! Matching the names written in a document to the organisation: "县发改局" and
//! "县发展和改革局", "各镇(街道)" and "各镇（街道）". Only an unambiguous match counts; anything
//! else is offered to the supervisor to choose or create.

/// A unit or person the names may refer to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: i64,
    pub name: String,
    pub short_name: Option<String>,
}

/// Brackets and spaces as one form, so that scraped and typed names compare equal.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            c => c,
        })
        .collect()
}

/// The name without a leading level word ("县", "市"), as documents often drop or add it.
fn bare(s: &str) -> &str {
    s.strip_prefix('县')
        .or_else(|| s.strip_prefix('市'))
        .unwrap_or(s)
}

/// The one candidate `name` refers to, if exactly one does.
pub fn match_name(name: &str, candidates: &[Candidate]) -> Option<i64> {
    let n = norm(name);
    let exact: Vec<i64> = candidates
        .iter()
        .filter(|c| norm(&c.name) == n)
        .map(|c| c.id)
        .collect();
    if exact.len() == 1 {
        return exact.first().copied();
    }
    if exact.len() > 1 {
        return None;
    }
    let loose: Vec<i64> = candidates
        .iter()
        .filter(|c| {
            bare(&norm(&c.name)) == bare(&n)
                || c.short_name
                    .as_deref()
                    .is_some_and(|s| !s.is_empty() && bare(&norm(s)) == bare(&n))
        })
        .map(|c| c.id)
        .collect();
    (loose.len() == 1).then(|| loose[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: i64, name: &str, short: Option<&str>) -> Candidate {
        Candidate {
            id,
            name: name.into(),
            short_name: short.map(str::to_string),
        }
    }

    #[test]
    fn names() {
        let units = [
            c(1, "县发展和改革局", Some("发改局")),
            c(2, "县财政局", Some("财政局")),
            c(3, "经济开发区", Some("开发区")),
            c(4, "各镇（街道）", None),
        ];
        assert_eq!(match_name("县发展和改革局", &units), Some(1));
        assert_eq!(match_name("县发改局", &units), Some(1));
        assert_eq!(match_name("财政局", &units), Some(2));
        assert_eq!(match_name("各镇(街道)", &units), Some(4));
        assert_eq!(match_name("县化工产业园", &units), None);
        let twins = [c(1, "张伟", None), c(2, "张伟", None)];
        assert_eq!(
            match_name("张伟", &twins),
            None,
            "two people of one name: the supervisor chooses"
        );
    }
}
