//! KMIP server addresses: one `serverName` entry (`host`, `host:port`, `1.2.3.4:port`, `[::1]:port`,
//! bare `::1`) and the comma-separated list mongod accepts, with hostname validation.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// Longest DNS name accepted, in characters, without a trailing dot (RFC 1123).
const MAX_HOSTNAME_LEN: usize = 253;
/// Longest DNS label accepted, in characters (RFC 1123).
const MAX_LABEL_LEN: usize = 63;

/// The host part of a server address: a DNS name or a literal IP address.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Host {
    /// A DNS host name, validated against RFC 1123, kept as written (without a trailing dot).
    Name(String),
    /// A literal IPv4 or IPv6 address.
    Ip(IpAddr),
}

impl fmt::Display for Host {
    /// Names as written, IPv4 dotted, IPv6 compressed and bracketed (`[::1]`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Name(name) => f.write_str(name),
            Host::Ip(IpAddr::V4(v4)) => write!(f, "{v4}"),
            Host::Ip(IpAddr::V6(v6)) => write!(f, "[{v6}]"),
        }
    }
}

/// One KMIP server: a host and, when the entry named one, its own port.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ServerAddress {
    /// Where the server is.
    pub host: Host,
    /// The entry's own port; `None` means "use the `port` option".
    pub port: Option<u16>,
}

/// Why a `serverName` value or one of its entries was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ServerAddressError {
    /// The whole list was empty or only spaces.
    #[error("must name at least one server")]
    EmptyList,
    /// An entry between two commas (or at either end) was empty.
    #[error("entry {position} of the server list is empty")]
    EmptyEntry {
        /// 1-based position of the empty entry in the list.
        position: usize,
    },
    /// The port part is not a decimal number from 1 to 65535.
    #[error("'{entry}': port must be a decimal number from 1 to 65535, got '{port}'")]
    InvalidPort {
        /// The entry as written.
        entry: String,
        /// The port text as written.
        port: String,
    },
    /// The host part is neither an IP address nor a valid host name.
    #[error("'{entry}': {reason}")]
    InvalidHost {
        /// The entry as written.
        entry: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl ServerAddress {
    /// The port to connect to: the entry's own, else `default` (the `port` option).
    pub fn effective_port(&self, default: u16) -> u16 {
        self.port.unwrap_or(default)
    }

    /// Parses a comma-separated `serverName` list; each entry is trimmed of spaces first.
    ///
    /// Every entry must be a valid address: an empty entry (`a,,b`) or an empty list is an error.
    pub fn parse_list(list: &str) -> Result<Vec<ServerAddress>, ServerAddressError> {
        if list.trim().is_empty() {
            return Err(ServerAddressError::EmptyList);
        }
        list.split(',')
            .enumerate()
            .map(|(index, entry)| {
                if entry.trim().is_empty() {
                    Err(ServerAddressError::EmptyEntry {
                        position: index + 1,
                    })
                } else {
                    entry.parse()
                }
            })
            .collect()
    }
}

impl fmt::Display for ServerAddress {
    /// Canonical form: `host`, `host:port`, `1.2.3.4:port`, `[v6]`, `[v6]:port`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

impl FromStr for ServerAddress {
    type Err = ServerAddressError;

    /// Parses one entry (surrounding spaces ignored): `host`, `host:port`, `1.2.3.4`,
    /// `1.2.3.4:port`, `[::1]`, `[::1]:port`, or a bare IPv6 address such as `::1` (no port).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let entry = text.trim();
        let invalid_host = |reason: &str| ServerAddressError::InvalidHost {
            entry: entry.to_owned(),
            reason: reason.to_owned(),
        };
        if entry.is_empty() {
            return Err(ServerAddressError::EmptyEntry { position: 1 });
        }
        if let Some(rest) = entry.strip_prefix('[') {
            let (inside, after) = rest
                .split_once(']')
                .ok_or_else(|| invalid_host("'[' without a closing ']'"))?;
            let v6 = inside
                .parse::<Ipv6Addr>()
                .map_err(|_| invalid_host("the text between [ and ] is not an IPv6 address"))?;
            let port = match after {
                "" => None,
                _ => match after.strip_prefix(':') {
                    Some(port) => Some(parse_port(entry, port)?),
                    None => return Err(invalid_host("only ':port' may follow ']'")),
                },
            };
            return Ok(ServerAddress {
                host: Host::Ip(IpAddr::V6(v6)),
                port,
            });
        }
        match entry.matches(':').count() {
            0 => Ok(ServerAddress {
                host: parse_host(entry, entry)?,
                port: None,
            }),
            1 => {
                let (host, port) = entry.split_once(':').unwrap_or((entry, ""));
                Ok(ServerAddress {
                    host: parse_host(entry, host)?,
                    port: Some(parse_port(entry, port)?),
                })
            }
            _ => {
                let v6 = entry.parse::<Ipv6Addr>().map_err(|_| {
                    invalid_host(
                        "not an IPv6 address (write an IPv6 address with a port as [address]:port)",
                    )
                })?;
                Ok(ServerAddress {
                    host: Host::Ip(IpAddr::V6(v6)),
                    port: None,
                })
            }
        }
    }
}

/// Parses a decimal port from 1 to 65535.
fn parse_port(entry: &str, port: &str) -> Result<u16, ServerAddressError> {
    let invalid = || ServerAddressError::InvalidPort {
        entry: entry.to_owned(),
        port: port.to_owned(),
    };
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    match port.parse::<u16>() {
        Ok(0) | Err(_) => Err(invalid()),
        Ok(number) => Ok(number),
    }
}

/// Parses the host part: an IPv4 address or an RFC 1123 host name.
fn parse_host(entry: &str, host: &str) -> Result<Host, ServerAddressError> {
    if let Ok(v4) = host.parse::<Ipv4Addr>() {
        return Ok(Host::Ip(IpAddr::V4(v4)));
    }
    validate_hostname(host)
        .map(|()| Host::Name(host.strip_suffix('.').unwrap_or(host).to_owned()))
        .map_err(|reason| ServerAddressError::InvalidHost {
            entry: entry.to_owned(),
            reason,
        })
}

/// Checks an RFC 1123 host name: at most 253 characters, dot-separated labels of 1 to 63 ASCII
/// letters, digits and hyphens, no label starting or ending with a hyphen, and a last label that
/// is not all digits (so a mistyped IPv4 address is not taken for a name). One trailing dot is
/// allowed.
fn validate_hostname(host: &str) -> Result<(), String> {
    let name = host.strip_suffix('.').unwrap_or(host);
    if name.is_empty() {
        return Err("host name is empty".to_owned());
    }
    if name.len() > MAX_HOSTNAME_LEN {
        return Err(format!(
            "host name is {} characters long, the limit is {MAX_HOSTNAME_LEN}",
            name.len()
        ));
    }
    for label in name.split('.') {
        if label.is_empty() {
            return Err(
                "host name has an empty label (two dots in a row, or a leading dot)".into(),
            );
        }
        if label.len() > MAX_LABEL_LEN {
            return Err(format!(
                "host name label '{label}' is longer than {MAX_LABEL_LEN} characters"
            ));
        }
        if let Some(bad) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(format!(
                "host name contains '{}'; only letters, digits, '-' and '.' are allowed",
                bad.escape_default()
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!("host name label '{label}' starts or ends with '-'"));
        }
    }
    let last = name.rsplit('.').next().unwrap_or(name);
    if last.bytes().all(|b| b.is_ascii_digit()) {
        return Err(
            "not a valid IPv4 address, and a host name cannot end in a numeric label".into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv6Addr;

    fn name(host: &str, port: Option<u16>) -> ServerAddress {
        ServerAddress {
            host: Host::Name(host.to_owned()),
            port,
        }
    }

    fn ip(addr: &str, port: Option<u16>) -> ServerAddress {
        ServerAddress {
            host: Host::Ip(addr.parse().unwrap()),
            port,
        }
    }

    #[test]
    fn parses_every_entry_form() {
        assert_eq!(
            "kmip.example.com".parse(),
            Ok(name("kmip.example.com", None))
        );
        assert_eq!("kmip1:5697".parse(), Ok(name("kmip1", Some(5697))));
        assert_eq!("10.0.0.1".parse(), Ok(ip("10.0.0.1", None)));
        assert_eq!("10.0.0.1:1".parse(), Ok(ip("10.0.0.1", Some(1))));
        assert_eq!("[::1]".parse(), Ok(ip("::1", None)));
        assert_eq!(
            "[2001:db8::7]:65535".parse(),
            Ok(ip("2001:db8::7", Some(65535)))
        );
        assert_eq!("::1".parse(), Ok(ip("::1", None)));
        assert_eq!("fe80::1:2".parse(), Ok(ip("fe80::1:2", None)));
        assert_eq!("  spaced-host  ".parse(), Ok(name("spaced-host", None)));
        assert_eq!("fqdn.example.".parse(), Ok(name("fqdn.example", None)));
    }

    #[test]
    fn parses_a_list_in_order_trimming_spaces() {
        let list = ServerAddress::parse_list(" a.example:1 , 10.1.2.3,[::1]:7,::2 ,b ").unwrap();
        assert_eq!(
            list,
            vec![
                name("a.example", Some(1)),
                ip("10.1.2.3", None),
                ip("::1", Some(7)),
                ip("::2", None),
                name("b", None),
            ]
        );
    }

    #[test]
    fn refuses_empty_lists_and_entries() {
        assert_eq!(
            ServerAddress::parse_list(""),
            Err(ServerAddressError::EmptyList)
        );
        assert_eq!(
            ServerAddress::parse_list("  "),
            Err(ServerAddressError::EmptyList)
        );
        assert_eq!(
            ServerAddress::parse_list("a,,b"),
            Err(ServerAddressError::EmptyEntry { position: 2 })
        );
        assert_eq!(
            ServerAddress::parse_list("a, "),
            Err(ServerAddressError::EmptyEntry { position: 2 })
        );
        assert_eq!(
            ServerAddress::parse_list(",a"),
            Err(ServerAddressError::EmptyEntry { position: 1 })
        );
    }

    #[test]
    fn refuses_bad_ports() {
        for bad in [
            "h:0",
            "h:65536",
            "h:",
            "h:-1",
            "h:+5",
            "h:5x",
            "[::1]:0",
            "1.2.3.4:99999",
            "[::1]:",
        ] {
            assert!(
                matches!(
                    bad.parse::<ServerAddress>(),
                    Err(ServerAddressError::InvalidPort { .. })
                ),
                "{bad} should have an invalid port"
            );
        }
    }

    #[test]
    fn a_bad_port_error_quotes_the_entry_and_the_port_range() {
        for (entry, port) in [
            ("h:0", "0"),
            ("h:65536", "65536"),
            ("[::1]:99999999999999999999", "99999999999999999999"),
            ("1.2.3.4:-7", "-7"),
        ] {
            assert_eq!(
                entry.parse::<ServerAddress>().unwrap_err().to_string(),
                format!("'{entry}': port must be a decimal number from 1 to 65535, got '{port}'")
            );
        }
    }

    #[test]
    fn refuses_bad_hosts() {
        let long_label = "a".repeat(64);
        let long_name = ["abcdefghi"; 26].join(".");
        assert!(long_name.len() > 253);
        for bad in [
            "-lead.example",
            "trail-.example",
            "under_score",
            "two..dots",
            ".leading",
            "sp ace",
            "1.2.3.256",
            "1.2.3",
            "h\u{e9}llo",
            "[::1",
            "[1.2.3.4]",
            "[::1]x",
            "::g",
            "a:b:c",
            ":5696",
            long_label.as_str(),
            long_name.as_str(),
        ] {
            assert!(
                matches!(
                    bad.parse::<ServerAddress>(),
                    Err(ServerAddressError::InvalidHost { .. })
                ),
                "{bad} should be refused as a host, got {:?}",
                bad.parse::<ServerAddress>()
            );
        }
        let ok_long = [
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(61),
        ]
        .join(".");
        assert_eq!(ok_long.len(), 253);
        assert!(ok_long.parse::<ServerAddress>().is_ok());
    }

    #[test]
    fn displays_a_canonical_reparsable_form() {
        for (input, shown) in [
            ("Kmip.Example:5696", "Kmip.Example:5696"),
            ("10.0.0.1", "10.0.0.1"),
            ("10.0.0.1:99", "10.0.0.1:99"),
            ("[2001:DB8:0:0::1]:5696", "[2001:db8::1]:5696"),
            ("0:0::1", "[::1]"),
            ("[::1]", "[::1]"),
        ] {
            let address: ServerAddress = input.parse().unwrap();
            assert_eq!(address.to_string(), shown);
            assert_eq!(shown.parse::<ServerAddress>().unwrap(), address);
        }
    }

    #[test]
    fn effective_port_prefers_the_entry_port() {
        assert_eq!(name("a", Some(7)).effective_port(5696), 7);
        assert_eq!(name("a", None).effective_port(5696), 5696);
        let v6 = ServerAddress {
            host: Host::Ip(IpAddr::V6(Ipv6Addr::LOCALHOST)),
            port: None,
        };
        assert_eq!(v6.effective_port(1), 1);
    }
}
