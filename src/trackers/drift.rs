//! Drift: an action item and its ticket disagreeing. The one definition, read by the
//! `action-item-drift` rule, `pm actions --drift`, the site and the export.
