//! `action-item-no-ticket`: an action item has no ticket, or one that is neither a URL nor a
//! key of a configured tracker.

use super::{Context, Meta, Rule};
use crate::diagnostic::Finding;
use crate::model::Status;
use crate::repo::Document;

pub(super) struct ActionItemNoTicket;

static META: Meta = Meta {
    code: "PM301",
    slug: "action-item-no-ticket",
    default_severity: crate::diagnostic::Severity::Error,
    summary: "An action item has no ticket, or its ticket is neither a URL nor a tracker key.",
    docs: r#"
### What it does
Every action item needs a `ticket`: an `http(s)://` URL, or a key matching one of the
`[trackers]` patterns in pm.toml (e.g. `PAY-123` for Jira). Drafts may leave `ticket` out while
they are being written, but a ticket that is there must be valid.

### Why it matters
Action items that live only in a markdown file are buried the day the postmortem is published.
A ticket puts them in the queue the team already works from, where they get prioritised and
done.

### Example
```yaml
action_items:
  - title: Add a canary stage to config rollouts
    owner: jdoe
    due: 2026-04-01
    status: open
    ticket: "see slack"      # neither a URL nor a tracker key
```

### Configuration
```toml
[trackers.jira]
pattern = "^[A-Z][A-Z0-9]+-[0-9]+$"
url = "https://jira.example.com/browse/{key}"
```
"#,
};

impl Rule for ActionItemNoTicket {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let Some(pm) = &doc.postmortem else { return };
        let draft = pm.status_or_draft() == Status::Draft;
        for item in &pm.action_items {
            let title = item.title.as_ref().map_or("(untitled)", |t| t.value.as_str());
            match &item.ticket {
                None if draft => {}
                None => out.push(
                    Finding::new(item.title.as_ref().map_or(item.span, |t| t.span), format!("action item \"{title}\" has no ticket"))
                        .help("file it in your tracker and add `ticket:` with its URL or key, so it is tracked to completion"),
                ),
                Some(ticket) => {
                    let value = ticket.value.as_str();
                    if crate::url::is_http_url(value) || cx.trackers.iter().any(|(_, re)| re.is_match(value)) {
                        continue;
                    }
                    let help = if cx.trackers.is_empty() {
                        "use the ticket's http(s) URL, or configure its tracker under [trackers] in pm.toml".to_owned()
                    } else {
                        let names: Vec<&str> = cx.trackers.iter().map(|(n, _)| *n).collect();
                        format!("use the ticket's http(s) URL or a key of a configured tracker ({})", names.join(", "))
                    };
                    out.push(Finding::new(ticket.span, format!("ticket `{value}` of \"{title}\" is neither a URL nor a tracker key")).help(help));
                }
            }
        }
    }
}
