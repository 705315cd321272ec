//! Particle's size limits, checked before anything is sent: a call that Particle (or the device) would refuse or
//! truncate costs a Data Operation and tells the caller less than a 422 naming the rule.

use thiserror::Error;

/// Longest function name and event name (Device OS 0.8.0 and later).
pub const MAX_NAME_CHARS: usize = 64;
/// `PARTICLE_FUNCTION_ARG_MAX`'s default: Gen3 on Device OS 3.0+ (622 and 864 apply to older Device OS).
pub const DEFAULT_FUNCTION_ARG_MAX: usize = 1024;
/// `PARTICLE_EVENT_DATA_MAX`'s default (16,384 for Device OS 6.3+).
pub const DEFAULT_EVENT_DATA_MAX: usize = 1024;
/// The largest either setting may be: Device OS 6.3's event data limit.
pub const LIMIT_CEILING: usize = 16_384;

/// The limits in force (from `PARTICLE_FUNCTION_ARG_MAX` and `PARTICLE_EVENT_DATA_MAX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub function_arg_max: usize,
    pub event_data_max: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            function_arg_max: DEFAULT_FUNCTION_ARG_MAX,
            event_data_max: DEFAULT_EVENT_DATA_MAX,
        }
    }
}

/// A broken rule; [`LimitError::rule`] is its stable name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LimitError {
    #[error("the function name must be 1 to {MAX_NAME_CHARS} characters, without '/' (it has {0})")]
    FunctionName(usize),
    #[error(
        "the function argument is {size} bytes; the limit is {max} (PARTICLE_FUNCTION_ARG_MAX)"
    )]
    FunctionArg { size: usize, max: usize },
    #[error("the event name must be 1 to {MAX_NAME_CHARS} characters (it has {0})")]
    EventName(usize),
    #[error("the event data is {size} bytes; the limit is {max} (PARTICLE_EVENT_DATA_MAX)")]
    EventData { size: usize, max: usize },
    #[error("the device id must be 1 to 64 letters and digits")]
    DeviceId,
    #[error("the product must be a product id or slug (letters, digits, '-', '_')")]
    Product,
}

impl LimitError {
    /// The rule's name, for the error answer.
    pub fn rule(&self) -> &'static str {
        match self {
            LimitError::FunctionName(_) => "function_name_length",
            LimitError::FunctionArg { .. } => "function_arg_size",
            LimitError::EventName(_) => "event_name_length",
            LimitError::EventData { .. } => "event_data_size",
            LimitError::DeviceId => "device_id",
            LimitError::Product => "product",
        }
    }
}

impl Limits {
    /// A function call's name and argument.
    pub fn check_function(&self, name: &str, arg: &str) -> Result<(), LimitError> {
        let chars = name.chars().count();
        // The name is a path segment: '/' would change the URL, control characters are never a name.
        if chars == 0 || chars > MAX_NAME_CHARS || name.chars().any(|c| c == '/' || c.is_control())
        {
            return Err(LimitError::FunctionName(chars));
        }
        if arg.len() > self.function_arg_max {
            return Err(LimitError::FunctionArg {
                size: arg.len(),
                max: self.function_arg_max,
            });
        }
        Ok(())
    }

    /// A publish's name and data.
    pub fn check_event(&self, name: &str, data: &str) -> Result<(), LimitError> {
        let chars = name.chars().count();
        if chars == 0 || chars > MAX_NAME_CHARS || name.chars().any(char::is_control) {
            return Err(LimitError::EventName(chars));
        }
        if data.len() > self.event_data_max {
            return Err(LimitError::EventData {
                size: data.len(),
                max: self.event_data_max,
            });
        }
        Ok(())
    }
}

/// A device id as a path segment: Particle's are 24 hex digits; anything alphanumeric up to 64 is let through.
pub fn check_device_id(coreid: &str) -> Result<(), LimitError> {
    if coreid.is_empty() || coreid.len() > 64 || !coreid.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(LimitError::DeviceId);
    }
    Ok(())
}

/// A product id or slug as a path segment.
pub fn check_product(product: &str) -> Result<(), LimitError> {
    if product.is_empty()
        || product.len() > 64
        || !product
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(LimitError::Product);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_limits() {
        let l = Limits::default();
        assert!(l.check_function("setLed", "on").is_ok());
        assert!(l.check_function(&"f".repeat(64), "").is_ok());
        assert_eq!(
            l.check_function(&"f".repeat(65), "").unwrap_err().rule(),
            "function_name_length"
        );
        assert!(l.check_function("", "").is_err());
        assert!(l.check_function("a/b", "").is_err());
        assert!(l.check_function("f", &"x".repeat(1024)).is_ok());
        let e = l.check_function("f", &"x".repeat(1025)).unwrap_err();
        assert_eq!(e.rule(), "function_arg_size");
        assert!(e.to_string().contains("1025 bytes"));
        // Bytes, not characters: 512 two-byte characters are 1024 bytes.
        assert!(l.check_function("f", &"é".repeat(512)).is_ok());
        assert!(l.check_function("f", &"é".repeat(513)).is_err());
        let old = Limits {
            function_arg_max: 622,
            ..Limits::default()
        };
        assert!(old.check_function("f", &"x".repeat(623)).is_err());
    }

    #[test]
    fn event_limits() {
        let l = Limits::default();
        assert!(l.check_event("config/set", "{}").is_ok());
        assert_eq!(
            l.check_event(&"é".repeat(65), "").unwrap_err().rule(),
            "event_name_length"
        );
        assert!(l.check_event(&"é".repeat(64), "").is_ok());
        assert_eq!(
            l.check_event("n", &"x".repeat(1025)).unwrap_err().rule(),
            "event_data_size"
        );
    }

    #[test]
    fn path_segments() {
        assert!(check_device_id("0123456789abcdef01234567").is_ok());
        assert!(check_device_id("../x").is_err());
        assert!(check_device_id("").is_err());
        assert!(check_product("12345").is_ok());
        assert!(check_product("my-product_2").is_ok());
        assert!(check_product("a/b").is_err());
    }
}
