//! Radio access technologies, as the Tracker's `rat` names them and as each provider wants them.

/// A cellular radio access technology. Only ever taken from what the scan says, never guessed: Google warns
/// that a wrong `radioType` gives invalid or zero results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Radio {
    Gsm,
    Cdma,
    Wcdma,
    Lte,
    Nr,
}

impl Radio {
    /// Reads a scan's radio name (case-insensitive). LTE-M and NB-IoT cells are LTE cells (E-UTRA cell
    /// identity, tracking area code), which is how both providers file them. Unknown names are `None`.
    pub fn from_scan(name: &str) -> Option<Radio> {
        let name = name.trim();
        let is = |s: &str| name.eq_ignore_ascii_case(s);
        if is("gsm") || is("2g") || is("gprs") || is("edge") {
            Some(Radio::Gsm)
        } else if is("cdma") || is("evdo") {
            Some(Radio::Cdma)
        } else if is("wcdma") || is("umts") || is("3g") || is("hspa") || is("utran") {
            Some(Radio::Wcdma)
        } else if is("lte")
            || is("4g")
            || is("cat-m1")
            || is("catm1")
            || is("cat-m")
            || is("lte-m")
            || is("ltem")
            || is("nb-iot")
            || is("nbiot")
            || is("cat-nb1")
        {
            Some(Radio::Lte)
        } else if is("nr") || is("5g") {
            Some(Radio::Nr)
        } else {
            None
        }
    }

    /// Google Geolocation API's `radioType`.
    pub fn google_name(self) -> &'static str {
        match self {
            Radio::Gsm => "gsm",
            Radio::Cdma => "cdma",
            Radio::Wcdma => "wcdma",
            Radio::Lte => "lte",
            Radio::Nr => "nr",
        }
    }

    /// Unwired Labs' `radio`.
    pub fn unwiredlabs_name(self) -> &'static str {
        match self {
            Radio::Gsm => "gsm",
            Radio::Cdma => "cdma",
            Radio::Wcdma => "umts",
            Radio::Lte => "lte",
            Radio::Nr => "nr",
        }
    }

    /// The name used in cache keys (stable; never change it, or every cached entry is orphaned).
    pub(crate) fn key_name(self) -> &'static str {
        self.google_name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_names() {
        assert_eq!(Radio::from_scan("LTE"), Some(Radio::Lte));
        assert_eq!(Radio::from_scan("cat-m1"), Some(Radio::Lte));
        assert_eq!(Radio::from_scan("umts"), Some(Radio::Wcdma));
        assert_eq!(Radio::from_scan("gsm"), Some(Radio::Gsm));
        assert_eq!(Radio::from_scan("nr"), Some(Radio::Nr));
        assert_eq!(Radio::from_scan("wifi"), None);
        assert_eq!(Radio::from_scan(""), None);
        assert_eq!(Radio::Wcdma.google_name(), "wcdma");
        assert_eq!(Radio::Wcdma.unwiredlabs_name(), "umts");
    }
}
