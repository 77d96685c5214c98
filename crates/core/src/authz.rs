//! Who may do what, where. A permission is a role over a scope: one unit, or a region and
//! everything beneath it. Every handler and API route asks [`Principal::can`] (for one entity)
//! or [`Principal::visibility`] (for a list); nothing else decides.

use serde::{Deserialize, Serialize};

use crate::org::{Place, string_enum};

string_enum!(
    /// The roles of PRODUCT.md. The last three are the separated administrators (三员分立):
    /// none of them edits business data, and no account holds two of them or mixes them with
    /// a business role.
    Role {
        Leader = "leader",
        Supervisor = "supervisor",
        Clerk = "clerk",
        Agent = "agent",
        Viewer = "viewer",
        Sysadmin = "sysadmin",
        Secadmin = "secadmin",
        Auditor = "auditor",
    }
);

impl Role {
    pub fn is_admin(self) -> bool {
        matches!(self, Role::Sysadmin | Role::Secadmin | Role::Auditor)
    }
}

/// What is being read or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Region,
    Unit,
    Person,
    User,
    Audit,
    /// Policy documents and their clauses.
    Policy,
    /// Supervised tasks. Reading is also granted to the clerks of a task's units (see
    /// `task::standing`); writing here means managing: filing, closing, returning, reminding.
    Task,
    /// The company library. Like policies it is read from beneath (a town's clerk reads the
    /// county's library); a clerk writes the companies their unit follows.
    Company,
    /// Investment projects; a clerk reads and writes their own unit's.
    Project,
    /// Industry chains: read from beneath like policies, kept by the supervisor.
    Chain,
    /// The talent library: like the company library.
    Talent,
    /// Target lists (精准对接招引清单): like chains, read from beneath and kept by the supervisor.
    TargetList,
    /// Recruiting activities: like projects, a clerk reads and writes their own unit's. Trips are
    /// approved by the role `[activity] trip_approver` names, over the trip's unit.
    Activity,
    /// Assessment schemes and their runs (考核): read from beneath like policies (a unit reads
    /// its county's published ranking); kept by the supervisor; a unit's clerk writes only its
    /// own appeals.
    Assessment,
    /// Incentive rules and the award ledger (激励): read within a region, or by a unit for its
    /// own awards (its project's, its company's); kept by the supervisor.
    Incentive,
    /// Loans and projects recommended to banks and funds (融资): like projects, a clerk keeps
    /// what its unit recorded.
    Financing,
    /// Investor complaints (投资者诉求): read and kept (routed, judged) over a region by its
    /// supervisor, read by its leaders; a clerk reads and answers those sent to its unit.
    Complaint,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Read,
    Write,
    /// Grant and revoke roles of an account (the security administrator's job).
    AssignRoles,
}

/// The role table: which role may do which action on which entity, scope aside.
pub fn role_allows(role: Role, entity: Entity, action: Action) -> bool {
    use Action::*;
    use Entity::*;
    match (role, entity, action) {
        // Everyone reads the organisation they are scoped to.
        (_, Region | Unit | Person, Read) => true,
        (Role::Sysadmin, Region | Unit | Person | User, Write) => true,
        (Role::Sysadmin | Role::Secadmin | Role::Auditor, User, Read) => true,
        (Role::Secadmin, User, AssignRoles) => true,
        (Role::Auditor, Audit, Read) => true,
        (
            Role::Leader | Role::Supervisor | Role::Clerk | Role::Agent | Role::Viewer,
            Policy | Task,
            Read,
        ) => true,
        (Role::Supervisor, Policy | Task, Write) => true,
        (
            Role::Leader | Role::Supervisor | Role::Clerk | Role::Agent | Role::Viewer,
            Company | Project | Chain | Talent | TargetList | Activity,
            Read,
        ) => true,
        (Role::Supervisor | Role::Clerk, Company | Project | Talent | Activity, Write) => true,
        (Role::Supervisor, Chain | TargetList, Write) => true,
        (
            Role::Leader | Role::Supervisor | Role::Clerk | Role::Agent | Role::Viewer,
            Assessment,
            Read,
        ) => true,
        (Role::Supervisor | Role::Clerk, Assessment, Write) => true,
        (
            Role::Leader | Role::Supervisor | Role::Clerk | Role::Agent | Role::Viewer,
            Incentive,
            Read,
        ) => true,
        (Role::Supervisor, Incentive, Write) => true,
        (
            Role::Leader | Role::Supervisor | Role::Clerk | Role::Agent | Role::Viewer,
            Financing,
            Read,
        ) => true,
        (Role::Supervisor | Role::Clerk, Financing, Write) => true,
        (Role::Leader | Role::Supervisor | Role::Clerk, Complaint, Read) => true,
        (Role::Supervisor | Role::Clerk, Complaint, Write) => true,
        _ => false,
    }
}

/// The scope of a grant, with the region path needed to decide containment without I/O.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// One unit; `region_path` is the path of the unit's region.
    Unit { id: i64, region_path: String },
    /// A region and everything beneath it.
    Region { id: i64, path: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

impl Grant {
    /// Whether this grant's scope contains `place` for `entity`/`action`.
    fn covers(&self, entity: Entity, action: Action, place: &Place) -> bool {
        match (&self.scope, entity) {
            // A region is readable when it is inside the scope or above it (the user needs to see
            // where they sit); writable only inside a region scope.
            // Policies, like regions, are visible from beneath: a county reads the city's policies.
            (
                Scope::Region { path, .. },
                Entity::Region
                | Entity::Policy
                | Entity::Company
                | Entity::Chain
                | Entity::Talent
                | Entity::TargetList
                | Entity::Assessment,
            ) => {
                place.region_path.starts_with(path.as_str())
                    || (action == Action::Read && path.starts_with(place.region_path.as_str()))
            }
            (
                Scope::Unit { id, region_path },
                Entity::Company | Entity::Talent | Entity::Assessment,
            ) => {
                place.unit_id == Some(*id)
                    || (action == Action::Read
                        && !place.region_path.is_empty()
                        && region_path.starts_with(place.region_path.as_str()))
            }
            (
                Scope::Unit { region_path, .. },
                Entity::Region | Entity::Policy | Entity::Chain | Entity::TargetList,
            ) => {
                action == Action::Read
                    && !place.region_path.is_empty()
                    && region_path.starts_with(place.region_path.as_str())
            }
            (Scope::Region { path, .. }, _) => {
                !place.region_path.is_empty() && place.region_path.starts_with(path.as_str())
            }
            (Scope::Unit { id, .. }, _) => place.unit_id == Some(*id),
        }
    }
}

/// The signed-in account (or API token) with its grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub user_id: i64,
    pub unit_id: i64,
    pub grants: Vec<Grant>,
}

impl Principal {
    pub fn can(&self, entity: Entity, action: Action, place: &Place) -> bool {
        self.grants
            .iter()
            .any(|g| role_allows(g.role, entity, action) && g.covers(entity, action, place))
    }

    /// True if some grant allows `action` on `entity` somewhere (used to show a menu entry).
    pub fn can_somewhere(&self, entity: Entity, action: Action) -> bool {
        self.grants
            .iter()
            .any(|g| role_allows(g.role, entity, action))
    }

    /// Whether a grant over a whole region (not one unit) reads `entity`: what a county's
    /// meetings ask of their readers.
    /// The widest scope over which the account reads `entity` (the shortest region path): where
    /// an overview such as the dashboard opens.
    pub fn widest_reach(&self, entity: Entity) -> Option<&Scope> {
        self.grants
            .iter()
            .filter(|g| role_allows(g.role, entity, Action::Read))
            .map(|g| &g.scope)
            .min_by_key(|s| match s {
                Scope::Region { path, .. } => (path.len(), 0),
                Scope::Unit { region_path, .. } => (region_path.len(), 1),
            })
    }

    pub fn reads_a_region(&self, entity: Entity) -> bool {
        self.grants.iter().any(|g| {
            matches!(g.scope, Scope::Region { .. }) && role_allows(g.role, entity, Action::Read)
        })
    }

    /// Whether a grant of `role` itself reaches `place` as a write of `entity` would: the
    /// approver of a trip must hold the approving role over the trip's unit.
    pub fn holds_over(&self, role: Role, entity: Entity, place: &Place) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == role && g.covers(entity, Action::Write, place))
    }

    /// Whether a grant scoped to the unit itself lets the caller write `entity` there: acting
    /// as that unit (solving what it was given), which a grant over a whole region does not.
    pub fn acts_for_unit(&self, entity: Entity, unit_id: i64) -> bool {
        self.grants.iter().any(|g| {
            matches!(g.scope, Scope::Unit { id, .. } if id == unit_id)
                && role_allows(g.role, entity, Action::Write)
        })
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// The filter a list query must apply so that it returns exactly what `can` would allow.
    pub fn visibility(&self, entity: Entity, action: Action) -> Visibility {
        self.visibility_through(entity, action, |g| role_allows(g.role, entity, action))
    }

    /// What the grants of one role reach of `entity`: e.g. the tasks a clerk reports on, whatever
    /// other roles the account also holds.
    pub fn visibility_of_role(&self, role: Role, entity: Entity) -> Visibility {
        self.visibility_through(entity, Action::Read, |g| g.role == role)
    }

    fn visibility_through(
        &self,
        entity: Entity,
        action: Action,
        keep: impl Fn(&&Grant) -> bool,
    ) -> Visibility {
        let mut v = Visibility::default();
        for g in self.grants.iter().filter(keep) {
            match (&g.scope, entity) {
                (
                    Scope::Region { path, .. },
                    Entity::Region
                    | Entity::Policy
                    | Entity::Company
                    | Entity::Chain
                    | Entity::Talent
                    | Entity::TargetList
                    | Entity::Assessment,
                ) => {
                    v.subtrees.push(path.clone());
                    if action == Action::Read {
                        v.ancestors_of.push(path.clone());
                    }
                }
                (
                    Scope::Unit { region_path, .. },
                    Entity::Region | Entity::Policy | Entity::Chain | Entity::TargetList,
                ) => {
                    if action == Action::Read {
                        v.ancestors_of.push(region_path.clone());
                    }
                }
                (
                    Scope::Unit { id, region_path },
                    Entity::Company | Entity::Talent | Entity::Assessment,
                ) => {
                    v.units.push(*id);
                    if action == Action::Read {
                        v.ancestors_of.push(region_path.clone());
                    }
                }
                (Scope::Region { path, .. }, _) => v.subtrees.push(path.clone()),
                (Scope::Unit { id, .. }, _) => v.units.push(*id),
            }
        }
        v.subtrees.sort();
        v.subtrees.dedup();
        v.ancestors_of.sort();
        v.ancestors_of.dedup();
        v.units.sort_unstable();
        v.units.dedup();
        v
    }
}

/// A list filter derived from grants: rows whose region path starts with one of `subtrees`, or
/// (for regions) is a prefix of one of `ancestors_of`, or whose unit is in `units`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Visibility {
    pub subtrees: Vec<String>,
    pub ancestors_of: Vec<String>,
    pub units: Vec<i64>,
}

impl Visibility {
    /// Every region (the command line's, the generator's checks, a row read by an id already
    /// found among what a reader may see).
    pub fn everywhere() -> Self {
        Visibility {
            subtrees: vec!["/".into()],
            ..Default::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.subtrees.is_empty() && self.ancestors_of.is_empty() && self.units.is_empty()
    }
}

/// Why a grant was refused: a message key in `locales/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GrantRefused {
    #[error("err.grant_self")]
    OwnAccount,
    #[error("err.grant_admin_role")]
    AdminRoleInUi,
    #[error("err.grant_separation")]
    Separation,
    #[error("err.grant_scope")]
    ScopeOutsideYours,
    #[error("err.grant_duplicate")]
    Duplicate,
}

impl GrantRefused {
    pub fn key(self) -> &'static str {
        match self {
            GrantRefused::OwnAccount => "err.grant_self",
            GrantRefused::AdminRoleInUi => "err.grant_admin_role",
            GrantRefused::Separation => "err.grant_separation",
            GrantRefused::ScopeOutsideYours => "err.grant_scope",
            GrantRefused::Duplicate => "err.grant_duplicate",
        }
    }
}

/// Separation of duties on one account: at most one administrator role, and never an
/// administrator role together with a business role. Applies to the CLI too.
pub fn check_separation(existing: &[Grant], new: &Grant) -> Result<(), GrantRefused> {
    if existing.contains(new) {
        return Err(GrantRefused::Duplicate);
    }
    // An administrator role stands alone on its account.
    let clash =
        !existing.is_empty() && (new.role.is_admin() || existing.iter().any(|g| g.role.is_admin()));
    if clash {
        Err(GrantRefused::Separation)
    } else {
        Ok(())
    }
}

/// Whether `granter` may manage `grant` on the account at `grantee_place` from the
/// application: not their own account, not an administrator role (those are granted from the
/// command line), and both the account and the grant's scope inside the granter's reach.
fn check_manage(
    granter: &Principal,
    grantee_user_id: i64,
    grantee_place: &Place,
    grant: &Grant,
) -> Result<(), GrantRefused> {
    if granter.user_id == grantee_user_id {
        return Err(GrantRefused::OwnAccount);
    }
    if grant.role.is_admin() {
        return Err(GrantRefused::AdminRoleInUi);
    }
    let scope_place = match &grant.scope {
        Scope::Unit { id, region_path } => Place {
            region_path: region_path.clone(),
            unit_id: Some(*id),
        },
        Scope::Region { path, .. } => Place {
            region_path: path.clone(),
            unit_id: None,
        },
    };
    let reach = |place: &Place| {
        granter.grants.iter().any(|g| {
            role_allows(g.role, Entity::User, Action::AssignRoles)
                && match &g.scope {
                    Scope::Region { path, .. } => place.region_path.starts_with(path.as_str()),
                    // A unit-scoped security administrator manages unit grants of that unit only.
                    Scope::Unit { id, .. } => {
                        place.unit_id == Some(*id) && matches!(grant.scope, Scope::Unit { .. })
                    }
                }
        })
    };
    if reach(grantee_place) && reach(&scope_place) {
        Ok(())
    } else {
        Err(GrantRefused::ScopeOutsideYours)
    }
}

/// A grant made in the application by `granter` to the account `grantee_user_id` located at
/// `grantee_place`, which already holds `existing`.
pub fn check_grant(
    granter: &Principal,
    grantee_user_id: i64,
    grantee_place: &Place,
    existing: &[Grant],
    new: &Grant,
) -> Result<(), GrantRefused> {
    check_manage(granter, grantee_user_id, grantee_place, new)?;
    check_separation(existing, new)
}

/// Revoking `grant` in the application follows the same reach rules as granting it.
pub fn check_revoke(
    granter: &Principal,
    grantee_user_id: i64,
    grantee_place: &Place,
    grant: &Grant,
) -> Result<(), GrantRefused> {
    check_manage(granter, grantee_user_id, grantee_place, grant)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(path: &str) -> Scope {
        Scope::Region {
            id: 0,
            path: path.into(),
        }
    }
    fn unit(id: i64, region_path: &str) -> Scope {
        Scope::Unit {
            id,
            region_path: region_path.into(),
        }
    }
    fn who(role: Role, scope: Scope) -> Principal {
        Principal {
            user_id: 1,
            unit_id: 1,
            grants: vec![Grant { role, scope }],
        }
    }
    fn place(path: &str, unit: Option<i64>) -> Place {
        Place {
            region_path: path.into(),
            unit_id: unit,
        }
    }

    #[test]
    fn region_scope_covers_subtree_only() {
        let p = who(Role::Sysadmin, region("/1/2/3/"));
        assert!(p.can(Entity::Unit, Action::Write, &place("/1/2/3/", Some(9))));
        assert!(p.can(Entity::Unit, Action::Write, &place("/1/2/3/40/", Some(9))));
        assert!(!p.can(Entity::Unit, Action::Write, &place("/1/2/33/", Some(9))));
        assert!(!p.can(Entity::Unit, Action::Write, &place("/1/2/", Some(9))));
        // Regions above the scope are readable, not writable.
        assert!(p.can(Entity::Region, Action::Read, &place("/1/2/", None)));
        assert!(!p.can(Entity::Region, Action::Write, &place("/1/2/", None)));
        assert!(!p.can(Entity::Region, Action::Read, &place("/1/5/", None)));
    }

    #[test]
    fn unit_scope_is_one_unit() {
        let p = who(Role::Clerk, unit(7, "/1/2/3/"));
        assert!(p.can(Entity::Person, Action::Read, &place("/1/2/3/", Some(7))));
        assert!(!p.can(Entity::Person, Action::Read, &place("/1/2/3/", Some(8))));
        assert!(!p.can(Entity::Person, Action::Write, &place("/1/2/3/", Some(7))));
        assert!(p.can(Entity::Region, Action::Read, &place("/1/2/3/", None)));
        assert!(p.can(Entity::Region, Action::Read, &place("/1/", None)));
        assert!(!p.can(Entity::Region, Action::Read, &place("/1/2/3/4/", None)));
        // One unit does not read what a whole region reads (a county's meetings).
        assert!(!p.reads_a_region(Entity::Project));
        assert!(who(Role::Leader, region("/1/2/")).reads_a_region(Entity::Project));
        assert!(!who(Role::Sysadmin, region("/1/2/")).reads_a_region(Entity::Project));
    }

    #[test]
    fn companies_are_read_from_beneath_and_written_by_their_unit() {
        // A town's clerk (unit 7 in /1/2/3/) reads the county's library (/1/2/) and writes the
        // companies its unit follows; not another unit's, not another county's.
        let clerk = who(Role::Clerk, unit(7, "/1/2/3/"));
        let county = |unit| place("/1/2/", unit);
        assert!(clerk.can(Entity::Company, Action::Read, &county(Some(8))));
        assert!(clerk.can(Entity::Company, Action::Write, &county(Some(7))));
        assert!(!clerk.can(Entity::Company, Action::Write, &county(Some(8))));
        assert!(!clerk.can(Entity::Company, Action::Read, &place("/1/9/", Some(8))));
        let v = clerk.visibility(Entity::Company, Action::Read);
        assert_eq!(
            (v.ancestors_of, v.units),
            (vec!["/1/2/3/".to_string()], vec![7])
        );
        // Projects are the unit's own, read and write.
        assert!(clerk.can(Entity::Project, Action::Write, &county(Some(7))));
        assert!(!clerk.can(Entity::Project, Action::Read, &county(Some(8))));
        // A supervisor writes in the county; a leader or viewer only reads.
        let sup = who(Role::Supervisor, region("/1/2/"));
        assert!(sup.can(Entity::Project, Action::Write, &place("/1/2/3/", Some(8))));
        let leader = who(Role::Leader, region("/1/2/"));
        assert!(leader.can(Entity::Project, Action::Read, &county(Some(8))));
        assert!(!leader.can(Entity::Project, Action::Write, &county(Some(8))));
        assert!(!who(Role::Sysadmin, region("/1/")).can(
            Entity::Company,
            Action::Read,
            &county(None)
        ));
        // Chains: the town's clerk reads the county's, the supervisor keeps them.
        assert!(clerk.can(Entity::Chain, Action::Read, &county(None)));
        assert!(!clerk.can(Entity::Chain, Action::Write, &county(None)));
        assert!(!clerk.can(Entity::Chain, Action::Read, &place("/1/9/", None)));
        assert!(sup.can(Entity::Chain, Action::Write, &county(None)));
        assert!(!leader.can(Entity::Chain, Action::Write, &county(None)));
        assert!(clerk.can(Entity::TargetList, Action::Read, &county(None)));
        assert!(!clerk.can(Entity::TargetList, Action::Write, &county(None)));
        assert!(sup.can(Entity::TargetList, Action::Write, &county(None)));
        // Lists filter as `can` decides: a unit-scoped clerk's list of the county's target
        // lists and talents is not empty, and a town supervisor reads the county's.
        let v = clerk.visibility(Entity::TargetList, Action::Read);
        assert_eq!(v.ancestors_of, vec!["/1/2/3/".to_string()]);
        let town = who(Role::Supervisor, region("/1/2/3/"));
        assert!(town.can(Entity::TargetList, Action::Read, &county(None)));
        assert!(town.can(Entity::Talent, Action::Read, &county(Some(8))));
        assert!(!town.can(Entity::Talent, Action::Write, &county(Some(8))));
        // Talents: as companies.
        assert!(clerk.can(Entity::Talent, Action::Read, &county(Some(8))));
        assert!(clerk.can(Entity::Talent, Action::Write, &county(Some(7))));
        assert!(!clerk.can(Entity::Talent, Action::Write, &county(Some(8))));
    }

    #[test]
    fn administrators_are_separated() {
        let sys = who(Role::Sysadmin, region("/1/"));
        let sec = who(Role::Secadmin, region("/1/"));
        let aud = who(Role::Auditor, region("/1/"));
        let here = place("/1/", Some(1));
        assert!(sys.can(Entity::User, Action::Write, &here));
        assert!(!sys.can(Entity::User, Action::AssignRoles, &here));
        assert!(sec.can(Entity::User, Action::AssignRoles, &here));
        assert!(!sec.can(Entity::User, Action::Write, &here));
        assert!(aud.can(Entity::Audit, Action::Read, &here));
        assert!(!sys.can(Entity::Audit, Action::Read, &here));
        assert!(!aud.can(Entity::Unit, Action::Write, &here));
    }

    #[test]
    fn visibility_matches_can() {
        let p = Principal {
            user_id: 1,
            unit_id: 7,
            grants: vec![
                Grant {
                    role: Role::Viewer,
                    scope: region("/1/2/"),
                },
                Grant {
                    role: Role::Clerk,
                    scope: unit(7, "/1/5/"),
                },
            ],
        };
        let v = p.visibility(Entity::Unit, Action::Read);
        assert_eq!(v.subtrees, vec!["/1/2/".to_string()]);
        assert_eq!(v.units, vec![7]);
        assert!(p.visibility(Entity::Unit, Action::Write).is_empty());
        let r = p.visibility(Entity::Region, Action::Read);
        assert_eq!(
            r.ancestors_of,
            vec!["/1/2/".to_string(), "/1/5/".to_string()]
        );
    }

    #[test]
    fn grants_respect_separation_and_reach() {
        let sec = Principal {
            user_id: 1,
            unit_id: 1,
            grants: vec![Grant {
                role: Role::Secadmin,
                scope: region("/1/2/"),
            }],
        };
        let clerk_here = Grant {
            role: Role::Clerk,
            scope: unit(9, "/1/2/"),
        };
        let grantee = place("/1/2/", Some(9));
        assert_eq!(check_grant(&sec, 2, &grantee, &[], &clerk_here), Ok(()));
        assert_eq!(
            check_grant(&sec, 1, &grantee, &[], &clerk_here),
            Err(GrantRefused::OwnAccount)
        );
        let admin = Grant {
            role: Role::Sysadmin,
            scope: region("/1/2/"),
        };
        assert_eq!(
            check_grant(&sec, 2, &grantee, &[], &admin),
            Err(GrantRefused::AdminRoleInUi)
        );
        let elsewhere = Grant {
            role: Role::Viewer,
            scope: region("/1/"),
        };
        assert_eq!(
            check_grant(&sec, 2, &grantee, &[], &elsewhere),
            Err(GrantRefused::ScopeOutsideYours)
        );
        assert_eq!(
            check_grant(&sec, 2, &grantee, std::slice::from_ref(&admin), &clerk_here),
            Err(GrantRefused::Separation)
        );
        assert_eq!(
            check_grant(
                &sec,
                2,
                &grantee,
                std::slice::from_ref(&clerk_here),
                &clerk_here
            ),
            Err(GrantRefused::Duplicate)
        );
    }

    #[test]
    fn one_admin_role_per_account() {
        let sys = Grant {
            role: Role::Sysadmin,
            scope: region("/1/"),
        };
        let sys_elsewhere = Grant {
            role: Role::Sysadmin,
            scope: region("/2/"),
        };
        let aud = Grant {
            role: Role::Auditor,
            scope: region("/1/"),
        };
        assert_eq!(
            check_separation(std::slice::from_ref(&sys), &aud),
            Err(GrantRefused::Separation)
        );
        // Two business roles may be combined.
        let v = Grant {
            role: Role::Viewer,
            scope: region("/1/"),
        };
        let l = Grant {
            role: Role::Leader,
            scope: region("/1/"),
        };
        assert_eq!(check_separation(&[v], &l), Ok(()));
        assert_eq!(
            check_separation(&[sys], &sys_elsewhere),
            Err(GrantRefused::Separation)
        );
    }
}
