//! [`OptionSources`]: how each option of a [`super::KmipOptions`] was given (a `--kmip...`
//! flag, a `mongod.conf` key and line, or by name through the C setter), so that a message about
//! a value names the option the way the operator wrote it.

/// Where each option that was set came from, as the location that starts a message
/// (`option --kmipServerCAFile`, `mongod.conf:7: security.kmip.serverCAFile`); an option not
/// recorded is `option <name>`, its mongod name.
///
/// Sources say where values came from, not what they are: two option sets with equal values are
/// equal whatever their sources.
#[derive(Clone, Debug, Default)]
pub struct OptionSources {
    /// `(mongod name, location)`, the latest entry for a name winning.
    given: Vec<(String, String)>,
}

impl OptionSources {
    /// Records that the option `name` was last given at `location`.
    pub fn record(&mut self, name: &str, location: impl Into<String>) {
        self.given.retain(|(given, _)| given != name);
        self.given.push((name.to_owned(), location.into()));
    }

    /// The location of the option `name` for a message: as recorded, else `option <name>`.
    pub fn location(&self, name: &str) -> String {
        self.given
            .iter()
            .find(|(given, _)| given == name)
            .map_or_else(
                || format!("option {name}"),
                |(_, location)| location.clone(),
            )
    }
}

impl PartialEq for OptionSources {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl Eq for OptionSources {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_source_wins_and_unrecorded_options_use_their_name() {
        let mut sources = OptionSources::default();
        assert_eq!(sources.location("serverCAFile"), "option serverCAFile");
        sources.record("serverCAFile", "mongod.conf:3: security.kmip.serverCAFile");
        sources.record("serverCAFile", "option --kmipServerCAFile");
        assert_eq!(
            sources.location("serverCAFile"),
            "option --kmipServerCAFile"
        );
        assert_eq!(sources.location("clientKeyFile"), "option clientKeyFile");
    }
}
