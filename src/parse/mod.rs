//! From text to trees: the front matter splitter, the span-keeping YAML loader and the markdown
//! reader. Nothing here knows what a postmortem is; `model` gives the trees their meaning.

pub mod front_matter;
pub mod markdown;
pub mod yaml;
