//! The scenario schema: plain serde data, with a documented default for every field.
//!
//! Defaults come from `DOMAIN.md` (the sourced figures); the source of each is given in
//! `docs/scenario-format.md`. Values marked *assumption* there are modelling choices. Every
//! struct rejects unknown keys, so a typo is an error rather than a silently ignored field.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How a tier is rationed is the allocation rule's own parameter (`crate::policy`); the
/// scenario names it, and re-exports it for readers of the format.
pub use crate::policy::Rationing;

/// A whole scenario file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name, used in output and the summary table.
    pub name: String,
    /// Free text describing what the scenario studies.
    #[serde(default)]
    pub description: String,
    /// Master seed; every random stream is derived from it.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Independent replications (different random streams) to run.
    #[serde(default = "default_replications")]
    pub replications: u32,
    #[serde(default)]
    pub period: Period,
    #[serde(default)]
    pub policy: PolicyParams,
    #[serde(default)]
    pub births: Births,
    #[serde(default)]
    pub registration: Registration,
    #[serde(default)]
    pub birth_place: BirthPlaceParams,
    #[serde(default)]
    pub indication: IndicationParams,
    #[serde(default)]
    pub carers: CarerParams,
    #[serde(default)]
    pub birth_assist: BirthAssistParams,
    /// How the workforce changes over the years: attrition, hiring, training.
    #[serde(default)]
    pub workforce: WorkforceParams,
    /// The insurer's contract types and a national contract rule.
    #[serde(default)]
    pub contracts: ContractParams,
    /// Region data from CSV files, added to the inline regions and providers.
    #[serde(default)]
    pub data: Option<DataFiles>,
    /// A season forecast from known bookings and roster (`kraamsim forecast`, docs/forecast.md).
    #[serde(default)]
    pub forecast: Option<ForecastParams>,
    /// The regions (KSV areas), each a set of PC4 postcodes.
    #[serde(default)]
    pub regions: Vec<RegionSpec>,
    /// The providers, each in one region.
    #[serde(default)]
    pub providers: Vec<ProviderSpec>,
    /// A grid of parameter values for `kraamsim sweep`: field path -> values to try. Every
    /// combination is a variant (`docs/scenario-format.md`, Sweeps).
    #[serde(default)]
    pub sweep: std::collections::BTreeMap<String, Vec<toml::Value>>,
    /// How `[sweep]` values combine: every combination (`grid`), or one field at a time with
    /// the others at the file's values (`one-at-a-time`, for sensitivity analysis).
    #[serde(default)]
    pub sweep_design: SweepDesign,
    /// Providers that close during the period (`[[provider_closures]]`): from the date on
    /// they take no mothers, their mothers move to other providers, their carers join
    /// others or leave the field (`docs/scenario-format.md`, Provider closures).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provider_closures: Vec<ProviderClosure>,
}

/// A provider closing during the period, as Helmond's and Drenthe's did in 2024
/// (`DOMAIN.md`, "shortage in practice"): from `date` it takes no new mothers, its booked
/// mothers and those in care move to other providers covering their postcode, and its
/// carers join the providers of `carers_join` by their shares; the rest leave the field.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderClosure {
    /// The closing provider's name (unique over the scenario).
    pub provider: String,
    /// The first day it is closed (within the reporting period).
    pub date: NaiveDate,
    /// Where its carers go: a share of them to each provider named (of the same region);
    /// shares sum to at most 1, the rest leave kraamzorg.
    #[serde(default)]
    pub carers_join: Vec<CarersJoin>,
}

/// A share of a closing provider's carers that joins another provider.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarersJoin {
    pub provider: String,
    pub share: f64,
}

/// How the values of a `[sweep]` make variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SweepDesign {
    /// Every combination of the listed values.
    #[default]
    Grid,
    /// Every listed value list has the same length n: variant i takes the i-th value of
    /// each (n variants). For named variants that set several fields at once.
    Zip,
    /// First the file's own values (`v000`), then each field's values in turn, every other
    /// field at the file's value: 1 + the number of listed values.
    OneAtATime,
}

/// CSV files with region data (`docs/data-format.md`), relative to the scenario file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataFiles {
    /// pc4, region, births_per_year[, province]
    pub postcodes: Option<String>,
    /// provider, region, market_share, contract_type, postcodes
    pub providers: Option<String>,
    /// provider, region, carers, contract_hours_per_week
    pub carers: Option<String>,
}

/// The `[forecast]` table: a KSV's known state (bookings and roster, CSV files relative to the
/// scenario file, `docs/data-format.md`) and what to forecast from it. Read only by
/// `kraamsim forecast`; `run` ignores it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForecastParams {
    /// bookings.csv: the mothers registered by the as-of date.
    pub bookings: String,
    /// roster.csv: the carers, their planned holidays and known absences.
    pub roster: String,
    /// The day the bookings and roster describe; the forecast starts on it. `--as-of`
    /// overrides it, and one of the two is needed.
    #[serde(default)]
    pub as_of: Option<NaiveDate>,
    /// Weeks to forecast from the as-of date.
    #[serde(default = "default_forecast_weeks")]
    pub weeks: u32,
    /// Replications of the future (the forecast bands are taken over them).
    #[serde(default = "default_forecast_replications")]
    pub replications: u32,
}

fn default_forecast_weeks() -> u32 {
    16
}
fn default_forecast_replications() -> u32 {
    200
}

impl Scenario {
    /// The policies this scenario runs, in output order: `name`, then `compare`.
    pub fn policies(&self) -> Vec<PolicyName> {
        std::iter::once(self.policy.name)
            .chain(self.policy.compare.iter().copied())
            .collect()
    }

    /// Expected births per year over all postcodes of all regions.
    pub fn expected_births(&self) -> f64 {
        self.regions
            .iter()
            .flat_map(|r| &r.postcodes)
            .map(|p| p.births_per_year)
            .sum()
    }
}

fn default_seed() -> u64 {
    20270101
}
fn default_replications() -> u32 {
    5
}

/// The warm-up and the reporting period.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Period {
    /// First day of the reporting period (ISO date).
    pub start: NaiveDate,
    /// Last day of the reporting period, inclusive (ISO date).
    pub end: NaiveDate,
    /// Days simulated before `start` so that the pregnancies under way are registered.
    pub warmup_days: u32,
}

impl Default for Period {
    fn default() -> Self {
        Period {
            start: NaiveDate::from_ymd_opt(2027, 1, 1).expect("valid date"),
            end: NaiveDate::from_ymd_opt(2027, 12, 31).expect("valid date"),
            warmup_days: 280,
        }
    }
}

/// Which allocation policy runs, and its parameters.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyParams {
    /// Policy name: `minimum-first`, `proportional`, `first-come-first-served`,
    /// `refuse-when-full`, or the validation model `loss` (one carer per mother or nothing).
    pub name: PolicyName,
    /// Further policies to run on the same mothers and carers, for comparison with `name`.
    pub compare: Vec<PolicyName>,
    /// Whose carers a mother can get: her own provider's, or the region's pool.
    pub scope: CapacityScope,
    /// The legal minimum in hours (tier 1).
    pub minimum_hours: f64,
    /// Mothers registered before this pregnancy week get tier 3, later ones tier 4.
    pub early_registration_week: u32,
    /// Hold back what the rest of the carers' budget period owes in tier-1/2 hours to mothers
    /// in care and due soon before giving tier-3/4 hours.
    pub reserve_for_due_soon: bool,
    /// How many coming days the reservation looks ahead, within the carers' budget period
    /// (`carers.averaging_weeks`): 27, the default, is the rest of a 4-week period.
    pub reservation_horizon_days: u32,
    /// How minimum-first rations a tier it cannot serve in full.
    pub rationing: Rationing,
    /// The regional waiting list (`scope = "waiting-list"`).
    pub waiting_list: WaitingListParams,
    /// Continuity: a mother's hours go to the carers she already had first, and a new carer
    /// is one who can give all of her day's hours. Only which carer gives the planned hours
    /// depends on it, never how many hours a mother gets.
    pub continuity: bool,
}

/// The KSV's regional waiting list (*wachtlijstcoördinatie*): a mother her own provider
/// cannot give her share of the minimum is offered to the other providers covering her
/// postcode (`docs/policies.md`, The regional waiting list).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WaitingListParams {
    /// In which order the other providers are asked.
    pub order: WaitingListOrder,
    /// With `order = "priority"`: provider names asked first, in this order; the region's
    /// other providers follow in file order.
    pub priority: Vec<String>,
    /// Most mothers the waiting list moves per region and day; absent: no limit.
    pub max_transfers_per_day: Option<i64>,
    /// Only mothers of these postcodes take part; empty: every postcode.
    pub postcodes: Vec<u16>,
    /// Refusals as observed in 2023-2024 (IGJ): at registration a mother is booked with her
    /// provider when its roster still has room for her on every expected day; if not, the
    /// list offers her to the other providers covering her postcode; if none has room she
    /// is refused and gets no kraamzorg. Off by default (every mother is taken on).
    #[serde(skip_serializing_if = "is_false")]
    pub refusals: bool,
    /// With `refusals`: the share of her indicated hours a provider books at registration,
    /// spread evenly over her expected days from her due date, against its roster's contract
    /// care hours. Below 1 a provider books fewer hours than indicated because it expects
    /// to cut families to fewer hours when short.
    #[serde(skip_serializing_if = "is_one")]
    pub booking_share: f64,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_one(x: &f64) -> bool {
    *x == 1.0
}

impl Default for WaitingListParams {
    fn default() -> Self {
        WaitingListParams {
            order: WaitingListOrder::default(),
            priority: Vec::new(),
            max_transfers_per_day: None,
            postcodes: Vec::new(),
            refusals: false,
            booking_share: 1.0,
        }
    }
}

/// In which order the waiting list asks the providers covering a mother's postcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaitingListOrder {
    /// The provider with the most spare hours today first (ties: file order).
    #[default]
    MostSpare,
    /// The providers of `priority` first, in that order, then the others in file order.
    Priority,
}

impl Default for PolicyParams {
    fn default() -> Self {
        PolicyParams {
            name: PolicyName::MinimumFirst,
            compare: Vec::new(),
            scope: CapacityScope::Provider,
            minimum_hours: 24.0,
            early_registration_week: 20,
            reserve_for_due_soon: true,
            reservation_horizon_days: 13,
            rationing: Rationing::MaxMin,
            waiting_list: WaitingListParams::default(),
            continuity: true,
        }
    }
}

/// The allocation policies kraamsim knows: the registry in `crate::policy` (one list for
/// scenario files, the command line and the outputs).
pub use crate::policy::PolicyName;

/// Over which carers capacity is shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CapacityScope {
    /// Each provider serves its own mothers with its own carers.
    Provider,
    /// All providers of a region pool their carers (KSV cooperation).
    Region,
    /// Each provider serves its own mothers, and the KSV's waiting list moves a mother her
    /// provider cannot give her share of the minimum to another provider with spare hours.
    WaitingList,
}

impl CapacityScope {
    /// The name as written in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            CapacityScope::Provider => "provider",
            CapacityScope::Region => "region",
            CapacityScope::WaitingList => "waiting-list",
        }
    }

    /// Every scope's name, in the order of [`CapacityScope`] (for lists such as the web
    /// app's).
    pub fn names() -> Vec<&'static str> {
        <CapacityScope as clap::ValueEnum>::value_variants()
            .iter()
            .map(|s| s.as_str())
            .collect()
    }
}

/// `--scope` reads the names [`CapacityScope::as_str`] writes. Written out rather than
/// derived: a derived `ValueEnum` would show the variants' doc comments in `--help`.
impl clap::ValueEnum for CapacityScope {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            CapacityScope::Provider,
            CapacityScope::Region,
            CapacityScope::WaitingList,
        ]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

/// When births happen.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Births {
    /// Relative birth counts per calendar month, January first (CBS 83474NED, 2020).
    pub monthly_weights: [f64; 12],
    /// Standard deviation of birth date around the due date, days.
    pub due_date_sd_days: f64,
    /// Earliest birth relative to due date, days (negative: before).
    pub earliest_days_before_due: u32,
    /// Latest birth relative to due date, days.
    pub latest_days_after_due: u32,
    /// Relative change of the births per year, compounded from the year of `period.start`:
    /// year y has `(1 + trend_per_year)^(y - start year)` times the postcodes' births
    /// (assumption: 0.0; CBS 2019-2023 fell ~0.8% a year, 169,680 to 164,487).
    pub trend_per_year: f64,
}

impl Births {
    /// Per calendar month, the share of a year's births that fall on one day of it (the
    /// monthly weights spread over the month's days; February counted as 28).
    pub fn daily_factor(&self) -> [f64; 12] {
        const DAYS: [f64; 12] = [
            31.0, 28.0, 31.0, 30.0, 31.0, 30.0, 31.0, 31.0, 30.0, 31.0, 30.0, 31.0,
        ];
        let total: f64 = self.monthly_weights.iter().sum();
        std::array::from_fn(|m| self.monthly_weights[m] / total / DAYS[m])
    }
}

impl Default for Births {
    fn default() -> Self {
        // Oct-Dec together 41,340: spread evenly over the three months.
        Births {
            monthly_weights: [
                14085.0, 12905.0, 13556.0, 13375.0, 13791.0, 13928.0, 15625.0, 15110.0, 14966.0,
                13780.0, 13780.0, 13780.0,
            ],
            due_date_sd_days: 9.0,
            earliest_days_before_due: 28,
            latest_days_after_due: 14,
            trend_per_year: 0.0,
        }
    }
}

/// When mothers register with a provider.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Registration {
    /// Share registering before `PolicyParams::early_registration_week` (assumption: 0.85).
    pub early_share: f64,
    /// Earliest pregnancy week of registration.
    pub first_week: u32,
    /// Latest pregnancy week of registration.
    pub last_week: u32,
}

impl Default for Registration {
    fn default() -> Self {
        Registration {
            early_share: 0.85,
            first_week: 8,
            last_week: 36,
        }
    }
}

/// Where mothers give birth, and how long clinical births keep them in hospital.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BirthPlaceParams {
    /// Share of home births (Perined 2019-2020: 13-15%).
    pub home_share: f64,
    /// Share of outpatient births: birth centre and first-line outpatient, home the same day.
    pub outpatient_share: f64,
    /// Share of caesareans among all births (Perined: ~17%); all clinical.
    pub caesarean_share: f64,
    /// Hospital days after a caesarean, lowest and highest (leaflets: 2-3).
    pub caesarean_hospital_days: [u32; 2],
    /// Share of other clinical births that stay one night (assumption: 0.5).
    pub clinical_overnight_share: f64,
}

impl Default for BirthPlaceParams {
    fn default() -> Self {
        BirthPlaceParams {
            home_share: 0.14,
            outpatient_share: 0.13,
            caesarean_share: 0.17,
            caesarean_hospital_days: [2, 3],
            clinical_overnight_share: 0.5,
        }
    }
}

/// The LIP indication: how many hours a mother is indicated.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IndicationParams {
    /// Basic indication when breastfeeding, hours over the care window (LIP: 49).
    pub breastfeeding_hours: f64,
    /// Basic indication with formula feeding (LIP: 45).
    pub formula_hours: f64,
    /// Share of mothers breastfeeding (assumption: 0.75).
    pub breastfeeding_share: f64,
    /// Share of mothers with medically indicated extra hours (assumption: 0.25).
    pub medical_share: f64,
    /// Medically indicated extra hours, lowest and highest (assumption: 4-24).
    pub medical_extra_hours: [f64; 2],
    /// Lowest indication, hours (LIP and the legal minimum: 24).
    pub min_hours: f64,
    /// Highest indication, hours (LIP: 80).
    pub max_hours: f64,
    /// Hours deducted per hospital day, discharge day not counted (LIP: 6 breastfeeding; the
    /// 5.5 for formula is rounded into this single figure).
    pub hospital_day_deduction_hours: f64,
    /// Care window in days from birth (LIP: 8).
    pub care_window_days: u32,
    /// Care window for mothers with medical hours (LIP: up to 10).
    pub extended_care_window_days: u32,
    /// Most hours one family can get on one day: one carer's shift.
    pub max_hours_per_day: f64,
    /// Share of the non-medical hours above the minimum given as digital instruction
    /// instead of by a carer (Zorg en Zekerheid 2027: digital instruction can replace part
    /// of the hours; assumption: 0.0). Never takes an indication below the minimum.
    pub digital_share: f64,
}

impl Default for IndicationParams {
    fn default() -> Self {
        IndicationParams {
            breastfeeding_hours: 49.0,
            formula_hours: 45.0,
            breastfeeding_share: 0.75,
            medical_share: 0.25,
            medical_extra_hours: [4.0, 24.0],
            min_hours: 24.0,
            max_hours: 80.0,
            hospital_day_deduction_hours: 6.0,
            care_window_days: 8,
            extended_care_window_days: 10,
            max_hours_per_day: 8.0,
            digital_share: 0.0,
        }
    }
}

/// Carers: contract hours, working limits, holidays and sickness.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CarerParams {
    /// Contract hours per week (CPB 2021: ~22 on average).
    pub contract_hours_per_week: f64,
    /// Share of contract hours spent on care (assumption: 0.75).
    pub productive_share: f64,
    /// Most hours a carer works on one day.
    pub max_hours_per_day: f64,
    /// Holiday weeks per year (assumption: 4).
    pub holiday_weeks: u32,
    /// Of those, weeks taken in July-August (assumption: 2).
    pub summer_holiday_weeks: u32,
    /// Share of contract days lost to sickness (CBS care sector 2020-2022: 0.079-0.104).
    pub sickness_absence: f64,
    /// Mean length of a sickness spell, days (assumption: 14).
    pub sickness_mean_days: f64,
    /// Multiplies every provider's carer count (1.0 = as listed): a capacity lever.
    pub capacity_factor: f64,
    /// Care hours a carer works in a calendar week at most (CAO Kraamzorg: 36 working hours
    /// a week; in a kraamweek almost all of them are care).
    pub max_hours_per_week: f64,
    /// Days a carer works in a row at most (CAO Kraamzorg: 36 hours of unbroken rest in every
    /// 7 × 24 hours).
    pub max_days_in_row: u32,
    /// Weeks over which a carer's contract hours are an average (CAO Kraamzorg art. 1.1: the
    /// agreed *average* weekly hours; **assumption**: a fixed period of 4 weeks): her budget
    /// for a period is her weekly care hours times its working days / 7, so she can work the
    /// run of days a kraamweek needs and less in another week of the period.
    pub averaging_weeks: u32,
    /// Weekends a year a carer has free (CAO Kraamzorg: at least 22), spread evenly over the
    /// year and known ahead like a holiday.
    pub free_weekends: u32,
}

impl Default for CarerParams {
    fn default() -> Self {
        CarerParams {
            contract_hours_per_week: 22.0,
            productive_share: 0.75,
            max_hours_per_day: 8.0,
            holiday_weeks: 4,
            summer_holiday_weeks: 2,
            sickness_absence: 0.08,
            sickness_mean_days: 14.0,
            capacity_factor: 1.0,
            max_hours_per_week: 36.0,
            max_days_in_row: 6,
            averaging_weeks: 4,
            free_weekends: 22,
        }
    }
}

/// Birth assistance (partusassistentie) at home births.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BirthAssistParams {
    /// Share of home births that need a carer at the birth (assumption: 1.0).
    pub home_share: f64,
    /// Share of outpatient births that need one (assumption: 0.3).
    pub outpatient_share: f64,
    /// Hours one assist takes (assumption: 4; DOMAIN 3-5).
    pub hours: f64,
    /// The chance of a request finding no on-call carer free that the posts are sized to,
    /// when `on_call` is absent: per part the fewest posts whose Erlang-B loss at the
    /// expected load is at most this (assumption: 0.01). A request that finds none free is
    /// served by a carer called away from her families.
    pub target_miss: f64,
    /// Over whom carers are on call: per provider or pooled over the KSV region (the
    /// partuspoule). Absent: as `policy.scope` (pooled when the scope is `region`).
    pub pool: Option<AssistPool>,
    /// Carers on call in the night, day and evening part; absent: sized to `target_miss`
    /// from the expected requests (per provider, or for the whole pool).
    pub on_call: Option<[u32; 3]>,
    /// The hours (0-23) at which the night, day and evening parts begin, in cyclic order.
    pub day_parts: [u32; 3],
}

/// Over whom birth-assistance on-call duty is organised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssistPool {
    /// Each provider has its own carers on call, for its own mothers.
    Provider,
    /// The region's providers share one on-call pool (partuspoule).
    Region,
}

impl Default for BirthAssistParams {
    fn default() -> Self {
        BirthAssistParams {
            home_share: 1.0,
            outpatient_share: 0.3,
            hours: 4.0,
            target_miss: 0.01,
            pool: None,
            on_call: None,
            day_parts: [0, 8, 16],
        }
    }
}

/// A region: a KSV area of PC4 postcodes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionSpec {
    pub name: String,
    pub postcodes: Vec<PostcodeSpec>,
    /// Why this region has births but no carers (a closure, a what-if). A region with births
    /// whose providers list no carers at all is an error unless it says why here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_carers_reason: Option<String>,
}

/// A PC4 postcode area and its expected births.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostcodeSpec {
    /// Four-digit postcode, 1000-9999.
    pub pc4: u16,
    /// Expected births per year.
    pub births_per_year: f64,
}

/// A provider: its region, work area, market share and carers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSpec {
    pub name: String,
    /// Name of the region the provider works in.
    pub region: String,
    /// Postcodes of its work area; empty means every postcode of the region.
    #[serde(default)]
    pub postcodes: Vec<u16>,
    /// Weight of this provider among the providers covering a postcode.
    #[serde(default = "one")]
    pub market_share: f64,
    /// Number of carers employed.
    pub carers: u32,
    /// Contract hours per week of its carers; defaults to `[carers]`.
    #[serde(default)]
    pub contract_hours_per_week: Option<f64>,
    /// Its insurer contract (A, B or platform); `contracts.every_provider` can override it.
    #[serde(default)]
    pub contract: Option<ContractType>,
    /// Share of its care hours delivered by carers it employs (the rest by self-employed
    /// carers it brokers); defaults to `contracts.default_employed_share` (platform:
    /// `contracts.platform_employed_share`).
    #[serde(default)]
    pub employed_share: Option<f64>,
}

/// An insurer contract type (Zorg en Zekerheid 2027).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContractType {
    /// B plus training: at least `contracts.a_trainees_per_fte` trainees per FTE a year.
    A,
    /// At least `contracts.min_employed_share` of care hours by employed carers.
    B,
    /// Brokerage only: for providers below the employed share.
    #[serde(rename = "platform")]
    Platform,
}

impl ContractType {
    pub fn as_str(self) -> &'static str {
        match self {
            ContractType::A => "A",
            ContractType::B => "B",
            ContractType::Platform => "platform",
        }
    }
}

/// Which contract every provider gets: the listed one, or one national rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ContractRule {
    /// Each provider's own `contract` (providers.csv `contract_type`; B when empty).
    #[default]
    #[serde(rename = "as-listed")]
    AsListed,
    A,
    B,
    #[serde(rename = "platform")]
    Platform,
}

/// The contract types and their rules (Zorg en Zekerheid purchasing policy 2027).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ContractParams {
    /// `as-listed`, or a national rule giving every provider `A`, `B` or `platform`.
    pub every_provider: ContractRule,
    /// Trainees an A provider starts per employed FTE per year (seed: 1 per 20 FTE).
    pub a_trainees_per_fte: f64,
    /// Trainees B and platform providers start per employed FTE per year (assumption: 0,
    /// no obligation).
    pub other_trainees_per_fte: f64,
    /// Least share of care hours by employed carers for an A or B contract (seed: 0.70).
    pub min_employed_share: f64,
    /// Employed share of a provider that lists none (assumption: 0.9).
    pub default_employed_share: f64,
    /// Employed share of a platform provider that lists none (assumption: 0.5).
    pub platform_employed_share: f64,
    /// Hours per week of one FTE (collective agreement: 36).
    pub fte_hours_per_week: f64,
}

impl Default for ContractParams {
    fn default() -> Self {
        ContractParams {
            every_provider: ContractRule::AsListed,
            a_trainees_per_fte: 0.05,
            other_trainees_per_fte: 0.0,
            min_employed_share: 0.70,
            default_employed_share: 0.9,
            platform_employed_share: 0.5,
            fte_hours_per_week: 36.0,
        }
    }
}

/// How the workforce changes from the start of the reporting period on. Before it, the
/// carers are as listed. Off unless `dynamic = true`: then every rate below applies, with
/// its default when the file does not set it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkforceParams {
    /// Whether carers leave, are hired and trained over the years (false: the listed
    /// carers stay, as in a one-year scenario).
    pub dynamic: bool,
    /// Share of qualified carers leaving per year (register 2019-2020: ~970 of ~9,000 a
    /// year, 0.108).
    pub attrition_per_year: f64,
    /// Share leaving per year in their first `early_years` of work (hired or newly
    /// qualified carers); assumption: as `attrition_per_year` (no figure found).
    pub early_attrition_per_year: f64,
    /// Years of work that count as early.
    pub early_years: f64,
    /// Experienced carers hired from the labour market per region per year (Poisson mean;
    /// assumption: 0).
    pub hired_per_year: f64,
    /// Further hires per year as a share of the region's qualified carers at the start of
    /// the year (assumption: 0.074, from the register's ~790 joining a year less the ~125 a
    /// year that A-contract training qualifies under today's contract mix, over 9,000
    /// carers; see docs/workforce.md).
    pub hired_share_per_year: f64,
    /// Months from the start of training to qualifying (assumption: 24, MBO level 3 BBL).
    pub training_months: u32,
    /// Share of trainees who qualify (assumption: 0.75); the others leave during training.
    pub completion_rate: f64,
    /// A trainee's care hours as a share of a qualified carer's (assumption: 0.5).
    pub trainee_hours_share: f64,
}

impl Default for WorkforceParams {
    fn default() -> Self {
        WorkforceParams {
            dynamic: false,
            attrition_per_year: 0.108,
            early_attrition_per_year: 0.108,
            early_years: 2.0,
            hired_per_year: 0.0,
            hired_share_per_year: 0.074,
            training_months: 24,
            completion_rate: 0.75,
            trainee_hours_share: 0.5,
        }
    }
}

fn one() -> f64 {
    1.0
}
