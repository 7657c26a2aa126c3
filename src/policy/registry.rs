//! The registry of allocation policies: the one list a new policy is added to.
//!
//! [`PolicyName`] is the name of a policy everywhere it is written: scenario files and
//! run.json read it with serde, `--policy` with clap, and the outputs write
//! [`PolicyName::as_str`]. serde and clap both spell a variant in kebab-case
//! (`FirstComeFirstServed` is `first-come-first-served`), and [`PolicyName::as_str`] is the
//! name the policy gives itself in its own file ([`AllocationPolicy::name`]); the tests below
//! fail when the three disagree. Adding a policy therefore touches its own file (the struct,
//! its `name` and its `allocate_day`) and this one: a variant of [`PolicyName`] and its arm in
//! [`PolicyName::policy`], whose `match` the compiler checks for completeness.

use serde::{Deserialize, Serialize};

use super::{
    AllocationPolicy, FirstComeFirstServed, Loss, MinimumFirst, Proportional, RefuseWhenFull,
};
use crate::scenario::PolicyParams;

/// The allocation policies kraamsim knows.
///
/// A variant's doc comment is its help text in `kraamsim run --help`, so only a policy whose
/// name does not say what it is has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
#[value(rename_all = "kebab-case")]
pub enum PolicyName {
    MinimumFirst,
    Proportional,
    FirstComeFirstServed,
    RefuseWhenFull,
    /// The validation model: one carer per mother or no care (Erlang-B loss system).
    Loss,
}

impl PolicyName {
    /// The policy object of this name, with the scenario's policy parameters.
    pub fn policy(self, params: &PolicyParams) -> Box<dyn AllocationPolicy> {
        match self {
            PolicyName::MinimumFirst => Box::new(MinimumFirst {
                rationing: params.rationing,
            }),
            PolicyName::Proportional => Box::new(Proportional),
            PolicyName::FirstComeFirstServed => Box::new(FirstComeFirstServed),
            PolicyName::RefuseWhenFull => Box::new(RefuseWhenFull),
            PolicyName::Loss => Box::new(Loss),
        }
    }

    /// The name as written in scenario files and outputs: the one the policy gives itself.
    pub fn as_str(self) -> &'static str {
        self.policy(&PolicyParams::default()).name()
    }

    /// Every policy, in the order of [`PolicyName`].
    pub fn all() -> &'static [PolicyName] {
        <PolicyName as clap::ValueEnum>::value_variants()
    }

    /// The policy written `name` in a scenario file or an output, if there is one.
    pub fn from_name(name: &str) -> Option<PolicyName> {
        Self::all().iter().copied().find(|p| p.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::PolicyName;

    /// serde (scenario files, run.json), clap (`--policy`) and the outputs spell every
    /// policy the same way.
    #[test]
    fn serde_clap_and_the_policy_agree_on_every_name() {
        assert_eq!(PolicyName::all().len(), 5);
        for &p in PolicyName::all() {
            let serde = serde_json::to_value(p).unwrap();
            assert_eq!(serde, serde_json::Value::String(p.as_str().to_string()));
            let clap = clap::ValueEnum::to_possible_value(&p).unwrap();
            assert_eq!(clap.get_name(), p.as_str());
            let back: PolicyName = serde_json::from_value(serde).unwrap();
            assert_eq!(back, p);
            assert_eq!(PolicyName::from_name(p.as_str()), Some(p));
        }
        assert_eq!(PolicyName::from_name("fair"), None);
    }
}
