//! Refuse-when-full: today's practice that the insurers forbid.

use super::{AllocationPolicy, Booking, DayInput, FirstComeFirstServed, TierHours};

/// Refuse when full: a provider (or, with region scope, the pooled region) takes a registering
/// mother on only when its roster still covers her whole indication on every expected day of
/// her care, after the bookings it already has (`DESIGN.md` §2). Mothers refused get no care
/// at all. The mothers taken on are then served first come, first served.
#[derive(Debug, Clone, Copy, Default)]
pub struct RefuseWhenFull;

impl AllocationPolicy for RefuseWhenFull {
    fn name(&self) -> &'static str {
        "refuse-when-full"
    }

    fn accepts(&self, booking: &Booking<'_>) -> bool {
        booking
            .booked
            .iter()
            .zip(booking.capacity)
            .all(|(booked, capacity)| booked + booking.hours_per_day <= capacity + 1e-9)
    }

    fn allocate_day(&self, input: &DayInput<'_>, plan: &mut [TierHours]) {
        FirstComeFirstServed.allocate_day(input, plan);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_when_every_day_has_room_for_her_whole_indication() {
        let capacity = [10.0, 10.0, 10.0];
        let room = Booking {
            hours_per_day: 6.0,
            booked: &[4.0, 0.0, 3.0],
            capacity: &capacity,
        };
        assert!(RefuseWhenFull.accepts(&room));
        let full_on_one_day = Booking {
            booked: &[4.0, 5.0, 3.0],
            ..room
        };
        assert!(!RefuseWhenFull.accepts(&full_on_one_day));
        // The other policies take every mother.
        assert!(FirstComeFirstServed.accepts(&full_on_one_day));
    }
}
