//! A place on Earth as the providers and the Tracker report it.

/// Latitude and longitude in degrees (WGS 84), accuracy in metres (the radius of 68 % confidence, as Google and
/// the Tracker's `h_acc` give it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Location {
    pub lat: f64,
    pub lng: f64,
    pub accuracy: f64,
}

impl Location {
    /// The location if every number is finite and in range (latitude -90..=90, longitude -180..=180, accuracy
    /// not negative); `None` otherwise, so a provider's or a device's nonsense never reaches an answer.
    pub fn checked(lat: f64, lng: f64, accuracy: f64) -> Option<Location> {
        let ok = lat.is_finite()
            && lng.is_finite()
            && accuracy.is_finite()
            && (-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lng)
            && accuracy >= 0.0;
        ok.then_some(Location { lat, lng, accuracy })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_enforced() {
        assert!(Location::checked(42.38, -75.19, 4737.0).is_some());
        assert!(Location::checked(90.0, 180.0, 0.0).is_some());
        assert!(Location::checked(90.5, 0.0, 1.0).is_none());
        assert!(Location::checked(0.0, -180.1, 1.0).is_none());
        assert!(Location::checked(0.0, 0.0, -1.0).is_none());
        assert!(Location::checked(f64::NAN, 0.0, 1.0).is_none());
        assert!(Location::checked(0.0, 0.0, f64::INFINITY).is_none());
    }
}
