//! `unknown-service`: a service is not in the service catalog, or belongs to another team.

use super::{Context, Meta, Rule};
use crate::diagnostic::{Finding, Severity, Suggestions};
use crate::repo::Document;

pub(super) struct UnknownService;

static META: Meta = Meta {
    code: "PM103",
    slug: "unknown-service",
    default_severity: Severity::Warning,
    summary: "A service is not in the pm.toml service catalog.",
    docs: r#"
### What it does
When pm.toml has a `[services]` catalog, every entry of `services` must be in it. When none of
the affected services belongs to the postmortem's `team`, an info-level finding says so (the
owning team is usually the team of one of the services).

### Why it matters
"Has this service broken like this before?" is answered by the per-service pages and repeat
incident metrics. A misspelled service splits its history in two.

### Example
```yaml
services: [checkout-apii]   # catalog has checkout-api
```
"#,
};

impl Rule for UnknownService {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let Some(pm) = &doc.postmortem else { return };
        let catalog = &cx.config.services;
        if catalog.is_empty() {
            return;
        }
        let mut suggestions = Suggestions::new(&cx.services_nearest);
        for service in &pm.services {
            if catalog.contains_key(&service.value) {
                continue;
            }
            let finding = Finding::new(
                service.span,
                format!("service `{}` is not in the service catalog", service.value),
            );
            out.push(match suggestions.suggest(&service.value) {
                Some(best) => finding.help(format!(
                    "did you mean `{best}`? Otherwise add `[services.{}]` to pm.toml",
                    service.value
                )),
                None => finding
                    .help(format!("add `[services.{}]` with its `team` to pm.toml", service.value)),
            });
        }
        // An unknown team is `unknown-team`'s finding; comparing it with owners adds nothing.
        let Some(team) = pm
            .team
            .as_ref()
            .filter(|t| cx.config.teams.is_empty() || cx.config.teams.contains_key(&t.value))
        else {
            return;
        };
        let owners: Vec<&str> = pm
            .services
            .iter()
            .filter_map(|s| catalog.get(&s.value)?.team.as_ref().map(|t| t.get_ref().as_str()))
            .collect();
        if !owners.is_empty() && !owners.contains(&team.value.as_str()) {
            out.push(
                Finding::new(team.span, format!("team `{}` owns none of the affected services (they belong to {})", team.value, dedup(&owners).join(", ")))
                    .help("the postmortem is usually owned by the team of an affected service; check `team` and `services`")
                    .severity(Severity::Info),
            );
        }
    }
}

fn dedup<'a>(names: &[&'a str]) -> Vec<&'a str> {
    let mut v = names.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}
