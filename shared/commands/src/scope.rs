//! [`Scope`]: whose reply a reply item holds, as written in admin paths (`default`, `product:<id>`,
//! `device:<coreid>`).

use std::fmt;

use particle_store::keys::ReplyScope;

use crate::error::CommandError;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    Default,
    Product(u32),
    Device(String),
}

impl Scope {
    pub fn parse(s: &str) -> Result<Scope, CommandError> {
        let bad = || {
            CommandError::Scope(format!(
                "scope {:?} is not `default`, `product:<id>` or `device:<coreid>`",
                s.chars().take(80).collect::<String>()
            ))
        };
        if s == "default" {
            return Ok(Scope::Default);
        }
        if let Some(id) = s.strip_prefix("product:") {
            return id.parse().map(Scope::Product).map_err(|_| bad());
        }
        if let Some(coreid) = s.strip_prefix("device:")
            && particle_cloud::limits::check_device_id(coreid).is_ok()
        {
            return Ok(Scope::Device(coreid.to_owned()));
        }
        Err(bad())
    }

    pub fn key_scope(&self) -> ReplyScope<'_> {
        match self {
            Scope::Default => ReplyScope::Default,
            Scope::Product(id) => ReplyScope::Product(*id),
            Scope::Device(c) => ReplyScope::Device(c),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Default => f.write_str("default"),
            Scope::Product(id) => write!(f, "product:{id}"),
            Scope::Device(c) => write!(f, "device:{c}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display() {
        for s in ["default", "product:42", "device:0a1b2c"] {
            assert_eq!(Scope::parse(s).unwrap().to_string(), s);
        }
        for s in [
            "",
            "Default",
            "product:",
            "product:x",
            "device:",
            "device:a/b",
            "other",
        ] {
            assert!(Scope::parse(s).is_err(), "{s}");
        }
    }
}
