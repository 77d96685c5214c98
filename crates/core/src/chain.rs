//! Industry chains (产业链图谱): a chain's segments as a tree typed as an indented outline, how an
//! edited outline maps onto the segments already there (so companies and projects stay linked),
//! and which segments are gaps — 缺链 with no local company, 弱链 with one.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::validation::{self, FieldError, Invalid};

/// 上游 → 子环节 → 细分: deeper trees are not how chains are drawn.
pub const MAX_DEPTH: usize = 3;
pub const MAX_SEGMENTS: usize = 300;
pub const MAX_NAME: usize = 40;
const MAX_OUTLINE_BYTES: usize = 64 * 1024;

/// A chain as typed into its form or sent to the API.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ChainInput {
    /// e.g. 新材料产业链.
    pub name: String,
    /// The unit leading the chain's team (专班); the chain sits in its county.
    pub lead_unit_id: Option<i64>,
    /// 链长: the leader in charge (a person).
    pub leader_id: Option<i64>,
    /// The other units of the team.
    pub unit_ids: Vec<i64>,
    /// The segments, one per line; indentation (spaces, tabs or full-width spaces) makes a line
    /// a sub-segment of the line above it. Up to three levels, e.g. 上游 → 原材料 → 高纯硅.
    pub outline: String,
    pub notes: String,
}

/// A chain's fields once validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainFields {
    pub name: String,
    pub lead_unit_id: i64,
    pub leader_id: Option<i64>,
    pub unit_ids: Vec<i64>,
    pub segments: Vec<OutlineSegment>,
    pub notes: Option<String>,
}

impl ChainInput {
    pub fn validate(&self) -> Result<ChainFields, Invalid> {
        let mut e = Invalid::default();
        let name = validation::required(&mut e, "name", &self.name, 60);
        let notes = validation::optional(&mut e, "notes", &self.notes, 2000);
        if self.lead_unit_id.is_none() {
            e.push(FieldError::new("lead_unit_id", "err.required"));
        }
        let mut unit_ids: Vec<i64> = self
            .unit_ids
            .iter()
            .copied()
            .filter(|u| Some(*u) != self.lead_unit_id)
            .collect();
        unit_ids.sort_unstable();
        unit_ids.dedup();
        if unit_ids.len() > 50 {
            e.push(FieldError::new("unit_ids", "err.too_many").with("max", 50));
        }
        let segments = match parse_outline(&self.outline) {
            Ok(s) => s,
            Err(i) => {
                e.0.extend(i.0);
                Vec::new()
            }
        };
        e.into_result()?;
        Ok(ChainFields {
            name,
            lead_unit_id: self.lead_unit_id.unwrap_or_default(),
            leader_id: self.leader_id,
            unit_ids,
            segments,
            notes,
        })
    }
}

/// One line of an outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutlineSegment {
    pub name: String,
    /// 0 for a top-level segment.
    pub depth: usize,
    /// The index (in the outline) of the segment it belongs to.
    pub parent: Option<usize>,
    /// Its line in the text, 1-based, for messages.
    pub line: usize,
}

/// Reads an indented outline. Blank lines are skipped; a leading bullet (`-`, `*`, `·`, `•`) is
/// dropped; a tab counts as four spaces and a full-width space as two. Names are unique within
/// a chain, so that an edit can tell a kept segment from a new one.
pub fn parse_outline(text: &str) -> Result<Vec<OutlineSegment>, Invalid> {
    let mut e = Invalid::default();
    // Far more than 300 segments' worth of text, or of lines, is refused before reading it.
    if text.len() > MAX_OUTLINE_BYTES || text.lines().count() > 2 * MAX_SEGMENTS {
        return Err(Invalid::one(
            FieldError::new("outline", "err.too_many").with("max", MAX_SEGMENTS),
        ));
    }
    let mut out: Vec<OutlineSegment> = Vec::new();
    // Open levels: (indent width, index of the segment at that level).
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let indent: usize = raw
            .chars()
            .take_while(|c| c.is_whitespace())
            .map(|c| match c {
                '\t' => 4,
                '\u{3000}' => 2,
                _ => 1,
            })
            .sum();
        let name = raw
            .trim()
            .trim_start_matches(['-', '*', '·', '•'])
            .trim()
            .to_string();
        if name.is_empty() {
            continue;
        }
        while open.last().is_some_and(|(w, _)| *w > indent) {
            open.pop();
        }
        let (depth, parent) = match open.last() {
            None => (0, None),
            Some((w, idx)) if *w == indent => (out[*idx].depth, out[*idx].parent),
            Some((_, idx)) => (out[*idx].depth + 1, Some(*idx)),
        };
        if depth >= MAX_DEPTH {
            e.push(
                FieldError::new("outline", "err.outline_depth")
                    .with("line", line)
                    .with("max", MAX_DEPTH),
            );
            continue;
        }
        if name.chars().count() > MAX_NAME {
            e.push(
                FieldError::new("outline", "err.outline_long")
                    .with("line", line)
                    .with("max", MAX_NAME),
            );
            continue;
        }
        if let Some(first) = seen.get(&name) {
            e.push(
                FieldError::new("outline", "err.outline_duplicate")
                    .with("line", line)
                    .with("first", first)
                    .with("name", &name),
            );
            continue;
        }
        seen.insert(name.clone(), line);
        if open.last().is_some_and(|(w, _)| *w == indent) {
            open.pop();
        }
        open.push((indent, out.len()));
        out.push(OutlineSegment {
            name,
            depth,
            parent,
            line,
        });
    }
    if out.is_empty() && e.is_empty() {
        e.push(FieldError::new("outline", "err.required"));
    }
    if out.len() > MAX_SEGMENTS {
        e.push(FieldError::new("outline", "err.too_many").with("max", MAX_SEGMENTS));
    }
    e.into_result()?;
    Ok(out)
}

/// The outline that reads back as `segments` (in their order; children after their parent).
pub fn write_outline<'a>(segments: impl IntoIterator<Item = (usize, &'a str)>) -> String {
    let mut s = String::new();
    for (depth, name) in segments {
        for _ in 0..depth {
            s.push_str("  ");
        }
        s.push_str(name);
        s.push('\n');
    }
    s
}

/// The depth of each segment (0 at the top), given (id, parent) in outline order: a parent
/// comes before its children.
pub fn depths(segments: impl IntoIterator<Item = (i64, Option<i64>)>) -> Vec<usize> {
    let mut seen: HashMap<i64, usize> = HashMap::new();
    segments
        .into_iter()
        .map(|(id, parent)| {
            let d = parent
                .and_then(|p| seen.get(&p).map(|d| d + 1))
                .unwrap_or(0);
            seen.insert(id, d);
            d
        })
        .collect()
}

/// A segment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSegment {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
}

/// What saving an outline does to the stored segments.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutlinePlan {
    /// For each outline line, the stored segment it keeps (renamed or moved as the line says),
    /// or `None` for a new one.
    pub kept: Vec<Option<i64>>,
    /// Stored segments the outline no longer has.
    pub removed: Vec<i64>,
}

/// Matches an edited outline with the stored segments: by name first; then, under each parent, a
/// line with a new name standing at the same position among its siblings as a segment whose name
/// is gone is that segment renamed. A segment left unmatched is removed (which the storage refuses
/// while companies or projects are in it).
pub fn plan_outline(stored: &[StoredSegment], outline: &[OutlineSegment]) -> OutlinePlan {
    let by_name: HashMap<&str, i64> = stored.iter().map(|s| (s.name.as_str(), s.id)).collect();
    let mut kept: Vec<Option<i64>> = outline
        .iter()
        .map(|o| by_name.get(o.name.as_str()).copied())
        .collect();
    let mut taken: BTreeSet<i64> = kept.iter().flatten().copied().collect();
    // Parents are resolved before their children (an outline lists a parent first), so a
    // renamed parent's renamed children are matched too.
    let mut parents: Vec<Option<usize>> = vec![None];
    parents.extend((0..outline.len()).map(Some));
    for p in parents {
        let parent_id = match p {
            None => None,
            Some(i) => match kept[i] {
                Some(id) => Some(id),
                None => continue,
            },
        };
        // (position among siblings, line) and (position among siblings, segment).
        let fresh: Vec<(usize, usize)> = (0..outline.len())
            .filter(|i| outline[*i].parent == p)
            .enumerate()
            .filter(|(_, i)| kept[*i].is_none())
            .collect();
        let gone: Vec<(usize, i64)> = stored
            .iter()
            .filter(|s| s.parent_id == parent_id)
            .enumerate()
            .filter(|(_, s)| !taken.contains(&s.id))
            .map(|(n, s)| (n, s.id))
            .collect();
        let pairs: Vec<(usize, i64)> = fresh
            .iter()
            .filter_map(|(n, i)| gone.iter().find(|(m, _)| m == n).map(|(_, id)| (*i, *id)))
            .collect();
        for (i, id) in pairs {
            kept[i] = Some(id);
            taken.insert(id);
        }
    }
    let removed = stored
        .iter()
        .map(|s| s.id)
        .filter(|id| !taken.contains(id))
        .collect();
    OutlinePlan { kept, removed }
}

/// 缺链 (no local company in the segment or beneath it) or 弱链 (one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gap {
    Missing,
    Weak,
}

impl Gap {
    pub fn of(local_companies: usize) -> Option<Gap> {
        match local_companies {
            0 => Some(Gap::Missing),
            1 => Some(Gap::Weak),
            _ => None,
        }
    }
    pub fn id(self) -> &'static str {
        match self {
            Gap::Missing => "missing",
            Gap::Weak => "weak",
        }
    }
}

/// What a segment and everything beneath it holds: distinct companies and projects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    pub local: BTreeSet<i64>,
    pub targets: BTreeSet<i64>,
    pub projects: BTreeSet<i64>,
}

/// A company's link to a segment, with whether it is local (已落地) or a target (being courted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub segment_id: i64,
    pub company_id: i64,
    pub local: bool,
}

/// Each segment's coverage, its own links and those of its sub-segments counted once.
pub fn coverage(
    segments: &[StoredSegment],
    companies: &[Link],
    projects: &[(i64, i64)],
) -> HashMap<i64, Coverage> {
    let parent: HashMap<i64, Option<i64>> = segments.iter().map(|s| (s.id, s.parent_id)).collect();
    let mut out: HashMap<i64, Coverage> = segments
        .iter()
        .map(|s| (s.id, Coverage::default()))
        .collect();
    // The segment and its ancestors (the depth is bounded, and a cycle cannot loop forever).
    let up = |id: i64| {
        let mut chain = vec![id];
        let mut at = parent.get(&id).copied().flatten();
        while let Some(p) = at {
            if chain.contains(&p) || chain.len() > MAX_DEPTH + 1 {
                break;
            }
            chain.push(p);
            at = parent.get(&p).copied().flatten();
        }
        chain
    };
    for l in companies {
        for id in up(l.segment_id) {
            if let Some(c) = out.get_mut(&id) {
                if l.local {
                    c.local.insert(l.company_id);
                } else {
                    c.targets.insert(l.company_id);
                }
            }
        }
    }
    for (segment_id, project_id) in projects {
        for id in up(*segment_id) {
            if let Some(c) = out.get_mut(&id) {
                c.projects.insert(*project_id);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(o: &[OutlineSegment]) -> Vec<(usize, Option<usize>, &str)> {
        o.iter()
            .map(|s| (s.depth, s.parent, s.name.as_str()))
            .collect()
    }

    #[test]
    fn outline_reads_indentation_of_any_kind() {
        let o = parse_outline("上游\n  原材料\n\t\t高纯硅\n  设备\n中游\n\u{3000}- 电池片\n下游\n")
            .expect("valid");
        assert_eq!(
            names(&o),
            vec![
                (0, None, "上游"),
                (1, Some(0), "原材料"),
                (2, Some(1), "高纯硅"),
                (1, Some(0), "设备"),
                (0, None, "中游"),
                (1, Some(4), "电池片"),
                (0, None, "下游"),
            ]
        );
        assert_eq!(o[5].line, 6);
        // It writes back as it reads.
        let text = write_outline(o.iter().map(|s| (s.depth, s.name.as_str())));
        assert_eq!(parse_outline(&text).map(|p| names(&p).len()), Ok(7));
    }

    #[test]
    fn outline_problems_name_the_line() {
        let e = parse_outline("上游\n  a\n    b\n      c\n上游\n").expect_err("bad");
        let codes: Vec<_> =
            e.0.iter()
                .map(|f| (f.code, f.params[0].1.clone()))
                .collect();
        assert_eq!(
            codes,
            vec![
                ("err.outline_depth", "4".to_string()),
                ("err.outline_duplicate", "5".to_string()),
            ]
        );
        // Indentation is relative: a line back at or left of the first is top-level.
        let o = parse_outline("    上游\n  中游\n").expect("lenient");
        assert_eq!(names(&o), vec![(0, None, "上游"), (0, None, "中游")]);
        assert_eq!(
            parse_outline(" \n\n").expect_err("empty").0[0].code,
            "err.required"
        );
        let long = "长".repeat(MAX_NAME + 1);
        assert_eq!(
            parse_outline(&long).expect_err("long").0[0].code,
            "err.outline_long"
        );
    }

    fn stored(rows: &[(i64, Option<i64>, &str)]) -> Vec<StoredSegment> {
        rows.iter()
            .map(|(id, p, n)| StoredSegment {
                id: *id,
                parent_id: *p,
                name: n.to_string(),
            })
            .collect()
    }

    #[test]
    fn an_edit_keeps_segments_by_name_and_by_place() {
        let before = stored(&[
            (1, None, "上游"),
            (2, Some(1), "原材料"),
            (3, Some(1), "设备"),
            (4, None, "下游"),
        ]);
        // 上游 and 设备 renamed in their places.
        let o = parse_outline("上游环节\n  原材料\n  装备\n下游\n").expect("valid");
        let plan = plan_outline(&before, &o);
        assert_eq!(plan.kept, vec![Some(1), Some(2), Some(3), Some(4)]);
        assert!(plan.removed.is_empty());
        // 原材料 moved under 下游, where a segment is added.
        let o = parse_outline("上游\n  设备\n下游\n  原材料\n  辅料\n").expect("valid");
        let plan = plan_outline(&before, &o);
        assert_eq!(plan.kept, vec![Some(1), Some(3), Some(4), Some(2), None]);
        assert!(plan.removed.is_empty());
        // A new name in another position does not take a vanished segment's place (its
        // companies would move without anyone saying so): 原材料 goes, and 辅料 is new.
        let o = parse_outline("上游\n  设备\n  辅料\n下游\n").expect("valid");
        let plan = plan_outline(&before, &o);
        assert_eq!((plan.kept[2], plan.removed.clone()), (None, vec![2]));
        // Dropping lines removes them.
        let o = parse_outline("上游\n").expect("valid");
        assert_eq!(plan_outline(&before, &o).removed, vec![2, 3, 4]);
    }

    #[test]
    fn coverage_counts_each_company_once_up_the_tree() {
        let segs = stored(&[(1, None, "上游"), (2, Some(1), "a"), (3, Some(1), "b")]);
        let links = [
            Link {
                segment_id: 2,
                company_id: 10,
                local: true,
            },
            Link {
                segment_id: 3,
                company_id: 10,
                local: true,
            },
            Link {
                segment_id: 3,
                company_id: 11,
                local: false,
            },
        ];
        let c = coverage(&segs, &links, &[(3, 100)]);
        assert_eq!(c[&1].local.len(), 1);
        assert_eq!(c[&1].targets.len(), 1);
        assert_eq!(c[&1].projects.len(), 1);
        assert_eq!(Gap::of(c[&1].local.len()), Some(Gap::Weak));
        assert_eq!(Gap::of(c[&2].local.len()), Some(Gap::Weak));
        assert_eq!(Gap::of(0), Some(Gap::Missing));
        assert_eq!(Gap::of(2), None);
    }
}
