//! From text to trees: the front matter splitter, the span-keeping YAML loader and the markdown
//! reader. Nothing here knows what a postmortem is; `model` gives the trees their meaning.
//!
//! And back, in one narrow way: `edit` changes values of the front matter in the file's text,
//! byte for byte around them, so that a tool writing into a user's postmortem (a tracker sync
//! setting `status`) keeps every comment, quote and line ending the author wrote.

pub mod edit;
pub mod front_matter;
pub mod markdown;
pub mod yaml;
