//! Renders one postmortem page on its own, without a repository on disk: the entry point for
//! the fuzz target and the property tests that check what a page can contain.
