//! `pm schema`: prints a built-in JSON schema.

use std::io::Write;

use crate::cmd::Outcome;

/// Options of `pm schema`.
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// Which schema.
    #[arg(value_enum, default_value_t = SchemaKind::Postmortem)]
    pub kind: SchemaKind,
}

/// The built-in schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaKind {
    /// Postmortem front matter.
    Postmortem,
    /// pm.toml.
    Config,
    /// Records of `pm export`.
    Export,
}

/// The pm.toml schema, as shipped.
pub const CONFIG_SCHEMA: &str = include_str!("../../schema/pm.toml.schema.json");
/// The `pm export` records schema, as shipped.
pub const EXPORT_SCHEMA: &str = include_str!("../../schema/export.schema.json");

/// Prints the requested schema.
pub fn run(args: &SchemaArgs) -> anyhow::Result<Outcome> {
    let text = match args.kind {
        SchemaKind::Postmortem => crate::schema::BUILTIN,
        SchemaKind::Config => CONFIG_SCHEMA,
        SchemaKind::Export => EXPORT_SCHEMA,
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(Outcome::Clean)
}
