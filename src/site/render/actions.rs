//! `actions/index.html`: every open action item of the repository, grouped by team and owner;
//! the teams and owners with the most overdue item first (then by name), and overdue items
//! first within each.

use crate::site::markdown;
use crate::site::render::Site;
use crate::site::views::{ItemView, OwnerGroup, TeamGroup};

impl Site<'_, '_> {
    /// `actions/index.html`: every open action item, by team and owner, overdue first.
    pub(super) fn render_actions(&self) -> anyhow::Result<()> {
        let m = self.catalog;
        let all: Vec<usize> = (0..m.entries.len()).collect();
        let items = m.open_items(&all);
        let total = items.len();
        let overdue = items.iter().filter(|i| i.overdue_days > 0).count();
        // Team key → owner → items; "no team" and "unassigned" sort last.
        type ByOwner<'a> = std::collections::BTreeMap<(bool, String), Vec<&'a ItemView>>;
        let mut by_team: std::collections::BTreeMap<(bool, String), ByOwner<'_>> =
            std::collections::BTreeMap::new();
        for item in items {
            let team = item.team.as_ref().map(|t| t.name.clone());
            let owner = if item.owner.is_empty() { None } else { Some(item.owner.clone()) };
            by_team
                .entry((team.is_none(), team.unwrap_or_else(|| "No team".into())))
                .or_default()
                .entry((owner.is_none(), owner.unwrap_or_else(|| "Unassigned".into())))
                .or_default()
                .push(item);
        }
        let mut anchors = markdown::Names::default();
        let mut groups: Vec<TeamGroup> = by_team
            .into_iter()
            .map(|((_, name), owners)| {
                let mut owners: Vec<OwnerGroup> = owners
                    .into_iter()
                    .map(|((_, owner), mut items)| {
                        m.sort_items(&mut items);
                        OwnerGroup {
                            overdue: items.iter().filter(|i| i.overdue_days > 0).count(),
                            name: owner,
                            items,
                        }
                    })
                    .collect();
                owners.sort_by_key(|o| most_overdue(&o.items));
                let href = owners
                    .first()
                    .and_then(|o| o.items.first())
                    .and_then(|i| i.team.as_ref())
                    .map(|t| t.href.clone());
                TeamGroup {
                    anchor: format!("team-{}", anchors.name(&markdown::slugify(&name), "team")),
                    count: owners.iter().map(|o| o.items.len()).sum(),
                    overdue: owners.iter().map(|o| o.overdue).sum(),
                    href,
                    name,
                    owners,
                }
            })
            .collect();
        // What is late leads, the most late first; the name order stays among equals.
        groups.sort_by_key(|g| most_overdue(g.owners.iter().flat_map(|o| o.items.iter())));
        self.page("actions/index.html", "actions.html", "actions", "Action items", |cx| {
            cx.insert("groups", &groups);
            cx.insert("total", &total);
            cx.insert("overdue", &overdue);
            cx.insert("today", &m.today.to_string());
            Ok(())
        })
    }
}

/// The sort key that puts the group holding the most overdue item first: groups with nothing
/// overdue after every group with something overdue.
fn most_overdue<'a, 'b: 'a>(
    items: impl IntoIterator<Item = &'a &'b ItemView>,
) -> std::cmp::Reverse<i64> {
    std::cmp::Reverse(items.into_iter().map(|i| i.overdue_days).max().unwrap_or(0))
}
