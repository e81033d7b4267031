//! The formulas of docs/model.md ("The cost of one route in one trial, per unit" and "Details
//! that are easy to get wrong"), each checked against values worked out by hand.
//!
//! Every scenario is fixed (plain numbers, probabilities 0 or 1) so landed costs are
//! exact; the arithmetic is written next to each expected value. Where docs/model.md is silent
//! the tests pin the implementation's documented choices, and say so. Tests whose reading
//! of docs/model.md the implementation disputes are `#[ignore = "disputed: ..."]`.

use tariffsim::model::{flag, part, Outcome, Plan, TrialScratch};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Default goods: v = 100 USD, 1000 units per entry, 2 kg per unit, 4000 units per FEU,
/// no cost of capital.
const GOODS: &str = "unit_value = 100.0\nunits = 1000\nkg_per_unit = 2.0\nunits_per_feu = 4000\n";

/// A scenario: `[scenario]`, then `[goods]` with `goods` as its body, then `rest`.
fn scen(goods: &str, rest: &str) -> String {
    format!("[scenario]\nname = \"t\"\ntrials = 10\nseed = 7\n\n[goods]\n{goods}\n{rest}")
}

/// A compiled scenario and the outcomes of its last simulated trial.
struct Run {
    plan: Plan,
    s: TrialScratch,
}

impl Run {
    fn new(text: &str) -> Run {
        let built = match tariffsim::scenario::from_str("t.toml", text) {
            Ok(b) => b,
            Err(e) => panic!("scenario rejected:\n{e}\n--- text ---\n{text}"),
        };
        let plan = Plan::new(built.scenario).expect("plan");
        let mut s = plan.scratch();
        plan.trial(1, 0, &mut s);
        Run { plan, s }
    }

    fn trial(&mut self, seed: u64, t: u64) {
        self.plan.trial(seed, t, &mut self.s);
    }

    fn regime(&self, name: &str) -> usize {
        self.plan
            .scenario()
            .regimes
            .iter()
            .position(|g| g.name == name)
            .unwrap_or_else(|| panic!("no regime `{name}`"))
    }

    fn route(&self, name: &str) -> usize {
        self.plan
            .scenario()
            .routes
            .iter()
            .position(|r| r.name == name)
            .unwrap_or_else(|| panic!("no route `{name}`"))
    }

    /// The outcome of (regime, route) by name.
    fn o(&self, regime: &str, route: &str) -> Outcome {
        self.s.outcomes[self.regime(regime) * self.plan.n_routes() + self.route(route)]
    }
}

fn near(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-3)
}

#[track_caller]
fn close(actual: f64, expected: f64, what: &str) {
    assert!(
        near(actual, expected),
        "{what}: expected {expected}, got {actual}"
    );
}

/// Expected components of an outcome; unnamed ones are 0.
#[derive(Clone, Copy, Default, Debug)]
struct P {
    goods: f64,
    freight: f64,
    processing: f64,
    duty: f64,
    fees: f64,
    penalty: f64,
    inspection: f64,
    holding: f64,
    rerouting: f64,
}

impl P {
    fn arr(&self) -> [f64; 9] {
        let mut a = [0.0; 9];
        a[part::GOODS] = self.goods;
        a[part::FREIGHT] = self.freight;
        a[part::PROCESSING] = self.processing;
        a[part::DUTY] = self.duty;
        a[part::FEES] = self.fees;
        a[part::PENALTY] = self.penalty;
        a[part::INSPECTION] = self.inspection;
        a[part::HOLDING] = self.holding;
        a[part::REROUTING] = self.rerouting;
        a
    }
}

/// `p![goods: 100.0, duty: 10.0]`: expected components, the unnamed ones 0.
macro_rules! p {
    ($($k:ident $(: $v:expr)?),* $(,)?) => {
        P { $($k $(: $v)?,)* ..P::default() }
    };
}

const NAMES: [&str; 9] = [
    "goods",
    "freight",
    "processing",
    "duty",
    "fees",
    "penalty",
    "inspection",
    "holding",
    "rerouting",
];

/// Checks every component, and that the landed cost is their sum (both the expected sum
/// and the outcome's own sum).
#[track_caller]
fn parts(o: &Outcome, want: P, what: &str) {
    let w = want.arr();
    for i in 0..9 {
        assert!(
            near(o.parts[i], w[i]),
            "{what}: component {} expected {}, got {} (all parts {:?})",
            NAMES[i],
            w[i],
            o.parts[i],
            o.parts
        );
    }
    close(o.cost, w.iter().sum(), &format!("{what}: landed cost"));
    close(
        o.cost,
        o.parts.iter().sum(),
        &format!("{what}: cost = sum of parts"),
    );
}

/// Checks the exact set of flags.
#[track_caller]
fn flags(o: &Outcome, want: u16, what: &str) {
    assert_eq!(
        o.flags, want,
        "{what}: flags expected {want:#011b}, got {:#011b}",
        o.flags
    );
}

// ---------------------------------------------------------------------------------------
// Freight, FX, customs value, processing
// ---------------------------------------------------------------------------------------

#[test]
fn freight_per_unit_by_mode_plus_leg_fees() {
    let r = Run::new(&scen(
        GOODS,
        r#"
[[routes]]
name = "ocean"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "US"
mode = "ocean"
rate = 2000.0
days = 18.0
fees = 0.25

[[routes]]
name = "air"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "US"
mode = "air"
rate = 3.0
days = 2.0
fees = 0.5

[[routes]]
name = "parcel"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "US"
mode = "parcel"
rate = 1.5
days = 7.0

[[routes]]
name = "chain"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "KR"
mode = "ocean"
rate = 400.0
days = 3.0
fees = 0.05
[[routes.legs]]
from = "KR"
to = "US"
mode = "air"
rate = 2.0
days = 1.0

[[regimes]]
name = "none"
"#,
    ));
    // ocean: rate / units_per_feu + fees = 2000/4000 + 0.25 = 0.5 + 0.25 = 0.75
    let o = r.o("none", "ocean");
    parts(&o, p![goods: 100.0, freight: 0.75], "ocean");
    close(o.days, 18.0, "ocean days");
    // air: rate * kg_per_unit + fees = 3.0*2 + 0.5 = 6.5
    let o = r.o("none", "air");
    parts(&o, p![goods: 100.0, freight: 6.5], "air");
    close(o.days, 2.0, "air days");
    // parcel: rate * kg_per_unit = 1.5*2 = 3.0 (fees default 0)
    let o = r.o("none", "parcel");
    parts(&o, p![goods: 100.0, freight: 3.0], "parcel");
    // chain: ocean 400/4000 + 0.05 = 0.15; air 2.0*2 = 4.0; total 4.15; days 3 + 1 = 4
    let o = r.o("none", "chain");
    parts(&o, p![goods: 100.0, freight: 4.15], "chain");
    close(o.days, 4.0, "chain days");
    assert!(o.entered);
    close(o.cv, 100.0, "CV without processing = v");
}

#[test]
fn goods_value_converted_from_its_currency() {
    let r = Run::new(&scen(
        "unit_value = 140000.0\ncurrency = \"KRW\"\nunits = 1000\nunits_per_feu = 4000\n",
        r#"
[fx]
KRW = 1400.0

[[routes]]
name = "direct"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "US"
mode = "ocean"
rate = 2000.0

[[regimes]]
name = "mfn"
[[regimes.measures]]
name = "MFN"
origins = ["*"]
ad_valorem = 0.1
"#,
    ));
    // v = 140000 KRW / 1400 KRW per USD = 100 USD; freight 2000/4000 = 0.5;
    // CV = v = 100 → duty 0.1 * 100 = 10; cost 110.5
    let o = r.o("mfn", "direct");
    parts(&o, p![goods: 100.0, freight: 0.5, duty: 10.0], "KRW goods");
    close(o.cv, 100.0, "CV in USD");
}

#[test]
fn customs_value_with_processing_fx_markup_and_last_leg_excluded() {
    let r = Run::new(&scen(
        GOODS,
        r#"
[fx]
KRW = 1400.0

[[routes]]
name = "hub"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "KR"
mode = "ocean"
rate = 400.0
days = 3.0
fees = 0.1
[routes.processing]
country = "KR"
cost = 14000.0
currency = "KRW"
materials = 7000.0
markup = 0.1
days = 2.0
[[routes.legs]]
from = "KR"
to = "US"
mode = "ocean"
rate = 8000.0
days = 14.0
fees = 0.5

[[regimes]]
name = "mfn"
[[regimes.measures]]
name = "MFN"
origins = ["*"]
ad_valorem = 0.1
"#,
    ));
    let o = r.o("mfn", "hub");
    // freight before = 400/4000 + 0.1 = 0.2; after = 8000/4000 + 0.5 = 2.5; total 2.7
    // cost = 14000/1400 = 10; materials = 7000/1400 = 5
    // CV = (100 + 0.2 + 10 + 5) * 1.1 = 115.2 * 1.1 = 126.72 (the 2.5 after is not in CV)
    // processing component = CV - v - freight before = 126.72 - 100 - 0.2 = 26.52
    // duty = 0.1 * 126.72 = 12.672
    // cost = 100 + 2.7 + 26.52 + 12.672 = 141.892; days 3 + 2 + 14 = 19
    parts(
        &o,
        p![goods: 100.0, freight: 2.7, processing: 26.52, duty: 12.672],
        "hub",
    );
    close(o.cv, 126.72, "CV");
    close(o.days, 19.0, "days = legs + processing");
}

#[test]
fn legs_before_processing_decided_by_geography() {
    let r = Run::new(&scen(
        GOODS,
        r#"
# processing written before the legs: geography, not TOML order, decides
[[routes]]
name = "via-kr"
origin = "CN"
[routes.processing]
country = "KR"
cost = 10.0
[[routes.legs]]
from = "CN"
to = "VN"
mode = "ocean"
rate = 400.0
[[routes.legs]]
from = "VN"
to = "KR"
mode = "ocean"
rate = 800.0
[[routes.legs]]
from = "KR"
to = "JP"
mode = "ocean"
rate = 1200.0
[[routes.legs]]
from = "JP"
to = "US"
mode = "ocean"
rate = 2000.0

# KR is reached twice: only the legs up to the FIRST arrival come before processing
[[routes]]
name = "kr-twice"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "KR"
mode = "ocean"
rate = 400.0
[[routes.legs]]
from = "KR"
to = "JP"
mode = "ocean"
rate = 800.0
[[routes.legs]]
from = "JP"
to = "KR"
mode = "ocean"
rate = 1200.0
[[routes.legs]]
from = "KR"
to = "US"
mode = "ocean"
rate = 2000.0
[routes.processing]
country = "KR"
cost = 10.0

[[routes]]
name = "in-origin"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "US"
mode = "ocean"
rate = 2000.0
[routes.processing]
country = "CN"
cost = 10.0
markup = 0.5

[[regimes]]
name = "mfn"
[[regimes.measures]]
name = "MFN"
origins = ["*"]
ad_valorem = 0.1
"#,
    ));
    // via-kr: legs up to and including the first arriving in KR are before processing:
    // CN→VN 400/4000 = 0.1, VN→KR 800/4000 = 0.2 → before 0.3;
    // after KR→JP 0.3 + JP→US 0.5 = 0.8; freight 1.1
    // CV = (100 + 0.3 + 10) * 1 = 110.3; processing = 110.3 - 100 - 0.3 = 10
    // duty = 0.1 * 110.3 = 11.03
    let o = r.o("mfn", "via-kr");
    parts(
        &o,
        p![goods: 100.0, freight: 1.1, processing: 10.0, duty: 11.03],
        "via-kr",
    );
    close(o.cv, 110.3, "via-kr CV");
    // kr-twice: before = CN→KR 0.1 only; after 0.2 + 0.3 + 0.5 = 1.0; freight 1.1
    // CV = 100 + 0.1 + 10 = 110.1; processing 10; duty 11.01
    let o = r.o("mfn", "kr-twice");
    parts(
        &o,
        p![goods: 100.0, freight: 1.1, processing: 10.0, duty: 11.01],
        "kr-twice",
    );
    // in-origin: processing in CN, no legs before: CV = (100 + 0 + 10) * 1.5 = 165
    // processing = 165 - 100 - 0 = 65; freight 2000/4000 = 0.5; duty 16.5
    let o = r.o("mfn", "in-origin");
    parts(
        &o,
        p![goods: 100.0, freight: 0.5, processing: 65.0, duty: 16.5],
        "in-origin",
    );
    close(o.cv, 165.0, "in-origin CV");
}

/// Two-leg route CN→hub→US with free legs and processing in `hub` (body of
/// `[routes.processing]` given).
fn hub_route(name: &str, hub: &str, extra_route: &str, processing: &str) -> String {
    format!(
        r#"
[[routes]]
name = "{name}"
origin = "CN"
{extra_route}
[[routes.legs]]
from = "CN"
to = "{hub}"
mode = "ocean"
rate = 0.0
[routes.processing]
country = "{hub}"
{processing}
[[routes.legs]]
from = "{hub}"
to = "US"
mode = "ocean"
rate = 0.0
"#
    )
}

/// One-leg route from `origin` to the US, free.
fn direct_route(name: &str, origin: &str, extra_route: &str) -> String {
    format!(
        r#"
[[routes]]
name = "{name}"
origin = "{origin}"
{extra_route}
[[routes.legs]]
from = "{origin}"
to = "US"
mode = "ocean"
rate = 0.0
"#
    )
}

#[test]
fn non_preferential_origin_follows_transforms() {
    let routes = hub_route("t", "KR", "", "transforms = true")
        + &hub_route("f", "KR", "", "transforms = false")
        + &hub_route("d", "KR", "", "");
    let r = Run::new(&scen(
        GOODS,
        &(routes
            + r#"
[[regimes]]
name = "g"
[[regimes.measures]]
name = "cn"
origins = ["CN"]
ad_valorem = 0.25
[[regimes.measures]]
name = "kr"
origins = ["KR"]
ad_valorem = 0.10
"#),
    ));
    // CV = 100 (free legs, no hub cost). transforms: origin KR → 0.10*100 = 10
    let o = r.o("g", "t");
    parts(&o, p![goods: 100.0, duty: 10.0], "transforms");
    flags(&o, flag::TRUE_ORIGIN_HUB, "transforms");
    // not transformed: origin CN → 0.25*100 = 25
    let o = r.o("g", "f");
    parts(&o, p![goods: 100.0, duty: 25.0], "no transform");
    flags(&o, 0, "no transform");
    // default transforms = false → 25
    parts(&r.o("g", "d"), p![goods: 100.0, duty: 25.0], "default");
}

// ---------------------------------------------------------------------------------------
// Preferences and filing
// ---------------------------------------------------------------------------------------

#[test]
fn preference_rules_shift_rvc_or_and() {
    // Four measures on every origin, each waived by one agreement (all open to KR,
    // rvc_threshold 0.5): the duty rate tells which agreements the route claims.
    // shift 0.01, rvc 0.02, or 0.04, and 0.08; none waived = 0.15.
    let mut routes = String::new();
    // RVC = (CV - VNM)/CV with VNM = v + freight before + non-originating materials.
    routes += &hub_route("t-hi", "KR", "", "transforms = true\ncost = 100.0");
    routes += &hub_route(
        "t-lo",
        "KR",
        "",
        "transforms = true\ncost = 50.0\nmaterials = 50.0\nmaterials_originating = false",
    );
    routes += &hub_route("f-hi", "KR", "", "cost = 100.0");
    routes += &hub_route(
        "f-lo",
        "KR",
        "",
        "cost = 50.0\nmaterials = 50.0\nmaterials_originating = false",
    );
    routes += &hub_route("f-mat-orig", "KR", "", "cost = 50.0\nmaterials = 50.0");
    routes += &hub_route("f-markup", "KR", "", "cost = 60.0\nmarkup = 0.25");
    routes += r#"
[[routes]]
name = "f-freight"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "KR"
mode = "ocean"
rate = 0.0
fees = 20.0
[routes.processing]
country = "KR"
cost = 100.0
[[routes.legs]]
from = "KR"
to = "US"
mode = "ocean"
rate = 0.0
"#;
    routes += &hub_route("jp-hub", "JP", "", "transforms = true\ncost = 100.0");
    routes += &direct_route("kr", "KR", "");
    routes += &direct_route("cn", "CN", "");
    let mut regime = String::from("[[regimes]]\nname = \"g\"\n");
    for (rule, rate) in [
        ("shift", 0.01),
        ("rvc", 0.02),
        ("shift_or_rvc", 0.04),
        ("shift_and_rvc", 0.08),
    ] {
        regime += &format!(
            "[[regimes.measures]]\nname = \"m-{rule}\"\norigins = [\"*\"]\nad_valorem = {rate}\nwaived_by = [\"a-{rule}\"]\n"
        );
    }
    for rule in ["shift", "rvc", "shift_or_rvc", "shift_and_rvc"] {
        regime += &format!(
            "[[regimes.agreements]]\nname = \"a-{rule}\"\norigins = [\"KR\"]\nrule = \"{rule}\"\nrvc_threshold = 0.5\n"
        );
    }
    let r = Run::new(&scen(GOODS, &(routes + "\n" + &regime)));
    let pref = flag::PREFERENCE;
    let hub = flag::TRUE_ORIGIN_HUB;
    // (route, CV, rate paid, processing component, freight, flags)
    let cases = [
        // CV = 100 + 100 = 200; VNM 100; RVC 0.5 >= 0.5 (at threshold); transforms
        // → all four hold → rate 0
        ("t-hi", 200.0, 0.0, 100.0, 0.0, pref | hub),
        // CV = 100 + 50 + 50 = 200; VNM = 100 + 50 = 150; RVC 0.25 → shift, or hold;
        // rvc, and fail → 0.02 + 0.08 = 0.10 → 20
        ("t-lo", 200.0, 0.10, 100.0, 0.0, pref | hub),
        // CV 200, RVC 0.5, no transform → rvc, or hold → 0.01 + 0.08 = 0.09 → 18
        ("f-hi", 200.0, 0.09, 100.0, 0.0, pref),
        // CV 200, RVC 0.25, no transform → none → 0.15 → 30
        ("f-lo", 200.0, 0.15, 100.0, 0.0, 0),
        // originating materials are not in VNM: VNM 100, RVC 0.5 → 0.09 → 18
        ("f-mat-orig", 200.0, 0.09, 100.0, 0.0, pref),
        // CV = (100 + 60) * 1.25 = 200; VNM 100; RVC 0.5 (markup is hub content)
        // → 0.09 → 18; processing = 200 - 100 = 100
        ("f-markup", 200.0, 0.09, 100.0, 0.0, pref),
        // freight before 20 is in CV and VNM: CV = 100 + 20 + 100 = 220; VNM = 120;
        // RVC = 100/220 = 0.4545 < 0.5 → none → 0.15*220 = 33; processing = 220-100-20
        ("f-freight", 220.0, 0.15, 100.0, 20.0, 0),
        // last made in JP, not among KR agreements' origins → none → 0.15*200 = 30
        ("jp-hub", 200.0, 0.15, 100.0, 0.0, hub),
        // no processing, origin KR among origins → all qualify → 0
        ("kr", 100.0, 0.0, 0.0, 0.0, pref),
        // no processing, origin CN → none → 0.15*100 = 15
        ("cn", 100.0, 0.15, 0.0, 0.0, 0),
    ];
    for (route, cv, rate, processing, freight, fl) in cases {
        let o = r.o("g", route);
        close(o.cv, cv, &format!("{route} CV"));
        parts(
            &o,
            p![goods: 100.0, freight, processing, duty: rate * cv],
            route,
        );
        flags(&o, fl, route);
    }
}

#[test]
fn declare_files_origin_and_claims_every_agreement_open_to_it() {
    let mut routes = String::new();
    // relabel in KR, no transformation, RVC = 1/101: declare KR is a false origin and
    // a false KORUS claim
    routes += &hub_route("relabel", "KR", "declare = \"KR\"", "cost = 1.0");
    // truly Korean (transforms) and RVC = 100/200 = 0.5 >= 0.45: declare KR is true
    routes += &hub_route(
        "assembled-ok",
        "KR",
        "declare = \"KR\"",
        "transforms = true\ncost = 100.0",
    );
    // truly Korean but RVC = (200-150)/200 = 0.25 < 0.45: only the preference is false
    let low = "transforms = true\ncost = 50.0\nmaterials = 50.0\nmaterials_originating = false";
    routes += &hub_route("assembled-low", "KR", "declare = \"KR\"", low);
    routes += &hub_route("truthful-low", "KR", "", low);
    // no processing at all, declared KR
    routes += &direct_route("cn-as-kr", "CN", "declare = \"KR\"");
    // declare = "true", no transformation (origin CN) but RVC 0.5 qualifies for KORUS
    routes += &hub_route("rvc-only", "KR", "declare = \"true\"", "cost = 100.0");
    let r = Run::new(&scen(
        GOODS,
        &(routes
            + r#"
[[regimes]]
name = "g"
[[regimes.measures]]
name = "MFN"
origins = ["*"]
ad_valorem = 0.03
waived_by = ["KORUS"]
[[regimes.measures]]
name = "X"
origins = ["*"]
ad_valorem = 0.10
waived_by = ["JPFTA"]
[[regimes.measures]]
name = "cn301"
origins = ["CN"]
ad_valorem = 0.25
[[regimes.agreements]]
name = "KORUS"
origins = ["KR"]
rule = "rvc"
rvc_threshold = 0.45
[[regimes.agreements]]
name = "JPFTA"
origins = ["JP"]
rule = "shift"
"#),
    ));
    let (pref, fc, hub) = (flag::PREFERENCE, flag::FALSE_CLAIM, flag::TRUE_ORIGIN_HUB);
    // relabel: CV = 101; filed KR claims KORUS only (JPFTA is not open to KR):
    // MFN waived, cn301 not on KR, X 0.10 → 10.1
    let o = r.o("g", "relabel");
    parts(&o, p![goods: 100.0, processing: 1.0, duty: 10.1], "relabel");
    // The KORUS claim is false (RVC 1/101 < 0.45): a false claim, not a preference
    // (docs/model.md v2.1: p_preference counts true preferences only).
    flags(&o, fc, "relabel (no enforcement: never caught)");
    // assembled-ok: CV 200, filed KR true, KORUS true → X only: 0.10*200 = 20
    let o = r.o("g", "assembled-ok");
    parts(&o, p![goods: 100.0, processing: 100.0, duty: 20.0], "ok");
    flags(&o, pref | hub, "assembled-ok");
    // assembled-low: declared KR claims KORUS although RVC fails → false claim;
    // filed duty X 0.10*200 = 20
    let o = r.o("g", "assembled-low");
    parts(&o, p![goods: 100.0, processing: 100.0, duty: 20.0], "low");
    flags(
        &o,
        fc | hub,
        "assembled-low (false KORUS claim: not a preference)",
    );
    // truthful-low: files KR, claims nothing → MFN + X = 0.13*200 = 26
    let o = r.o("g", "truthful-low");
    parts(&o, p![goods: 100.0, processing: 100.0, duty: 26.0], "truth");
    flags(&o, hub, "truthful-low");
    // cn-as-kr: CV 100; filed KR with KORUS → X 0.10*100 = 10
    let o = r.o("g", "cn-as-kr");
    parts(&o, p![goods: 100.0, duty: 10.0], "cn-as-kr");
    flags(&o, fc, "cn-as-kr (last made in CN: KORUS claim false)");
    // rvc-only: files CN (true non-preferential origin) and claims KORUS, which it truly
    // qualifies for (last made in KR, RVC 0.5): cn301 + X = 0.35 * 200 = 70
    let o = r.o("g", "rvc-only");
    parts(
        &o,
        p![goods: 100.0, processing: 100.0, duty: 70.0],
        "rvc-only",
    );
    flags(&o, pref, "rvc-only");
}

// ---------------------------------------------------------------------------------------
// Duty stacking
// ---------------------------------------------------------------------------------------

#[test]
fn duty_stack_origins_except_hs_per_unit_probability_replaces_floors_when() {
    let routes = direct_route("cn", "CN", "")
        + &direct_route("vn", "VN", "")
        + &direct_route("kr", "KR", "");
    let regimes = r#"
[[regimes]]
name = "origins"
[[regimes.measures]]
name = "A"
origins = ["*"]
except = ["CN"]
ad_valorem = 0.05
[[regimes.measures]]
name = "B"
origins = ["CN", "VN"]
ad_valorem = 0.10
[[regimes.measures]]
name = "C"
origins = ["VN"]
ad_valorem = 0.20
[[regimes.measures]]
name = "D"
origins = ["*"]
ad_valorem = 0.01

[[regimes]]
name = "hs"
[[regimes.measures]]
name = "H1"
origins = ["*"]
hs = ["8517"]
ad_valorem = 0.01
[[regimes.measures]]
name = "H2"
origins = ["*"]
hs = ["85.18"]
ad_valorem = 0.02
[[regimes.measures]]
name = "H3"
origins = ["*"]
hs = ["851762"]
ad_valorem = 0.04
[[regimes.measures]]
name = "H4"
origins = ["*"]
hs = ["85.17"]
ad_valorem = 0.08
[[regimes.measures]]
name = "H5"
origins = ["*"]
hs = ["8517.62.10"]
ad_valorem = 0.16

[[regimes]]
name = "per_unit"
[[regimes.measures]]
name = "P"
origins = ["*"]
ad_valorem = 0.1
per_unit = 2.5
[[regimes.measures]]
name = "Q"
origins = ["*"]
per_unit = 1.0

[[regimes]]
name = "probability"
[[regimes.measures]]
name = "P1"
origins = ["*"]
ad_valorem = 0.1
probability = 1.0
[[regimes.measures]]
name = "P0"
origins = ["*"]
ad_valorem = 0.2
probability = 0.0

[[regimes]]
name = "replaces"
[[regimes.measures]]
name = "X"
origins = ["*"]
ad_valorem = 0.25
[[regimes.measures]]
name = "Y"
origins = ["*"]
ad_valorem = 0.60
replaces = ["X"]
[[regimes.measures]]
name = "W"
origins = ["*"]
ad_valorem = 0.05
[[regimes.measures]]
name = "Z"
origins = ["*"]
ad_valorem = 0.40
probability = 0.0
replaces = ["W"]

[[regimes]]
name = "floor_over"
[[regimes.measures]]
name = "MFN"
origins = ["*"]
ad_valorem = 0.026
[[regimes.measures]]
name = "R"
origins = ["*"]
ad_valorem = 0.0
floor = 0.15
floor_over = ["MFN", "R"]
[[regimes.measures]]
name = "S"
origins = ["CN"]
ad_valorem = 0.25

[[regimes]]
name = "floor_all"
[[regimes.measures]]
name = "MFN"
origins = ["*"]
ad_valorem = 0.026
[[regimes.measures]]
name = "F"
origins = ["*"]
ad_valorem = 0.0
floor = 0.15
[[regimes.measures]]
name = "S"
origins = ["CN"]
ad_valorem = 0.25

[[regimes]]
name = "two_floors"
[[regimes.measures]]
name = "A"
origins = ["*"]
ad_valorem = 0.02
[[regimes.measures]]
name = "F1"
origins = ["*"]
floor = 0.10
floor_over = ["A"]
[[regimes.measures]]
name = "B"
origins = ["*"]
ad_valorem = 0.05
[[regimes.measures]]
name = "F2"
origins = ["*"]
floor = 0.20
floor_over = ["B"]

[[regimes]]
name = "floor_off"
[[regimes.measures]]
name = "A"
origins = ["*"]
ad_valorem = 0.02
[[regimes.measures]]
name = "F"
origins = ["*"]
floor = 0.5
probability = 0.0

[[regimes]]
name = "caught_only"
[[regimes.measures]]
name = "MFN"
origins = ["*"]
ad_valorem = 0.03
[[regimes.measures]]
name = "T"
origins = ["*"]
ad_valorem = 0.40
when = "caught"

[[regimes]]
name = "waived"
[[regimes.measures]]
name = "MFN"
origins = ["*"]
ad_valorem = 0.03
waived_by = ["KORUS"]
[[regimes.agreements]]
name = "KORUS"
origins = ["KR"]
rule = "shift"
"#;
    let r = Run::new(&scen(
        &format!("{GOODS}hs = \"8517.62\"\n"),
        &(routes + regimes),
    ));
    // CV = v = 100 for every route (no processing, free legs). Expected duty per unit:
    let cases: [(&str, [f64; 3]); 11] = [
        // cn: B + D = 0.11 → 11 (A excepts CN); vn: A + B + C + D = 0.36 → 36;
        // kr: A + D = 0.06 → 6
        ("origins", [11.0, 36.0, 6.0]),
        // goods 851762: H1 "8517" yes, H2 "8518" no, H3 "851762" yes, H4 "8517" (dot
        // ignored) yes, H5 "85176210" longer than the goods code, no
        // → 0.01 + 0.04 + 0.08 = 0.13 → 13
        ("hs", [13.0; 3]),
        // 0.1*100 + 2.5 + 1.0 = 13.5
        ("per_unit", [13.5; 3]),
        // P1 in force (p = 1), P0 never (p = 0) → 0.1*100 = 10
        ("probability", [10.0; 3]),
        // Y replaces X; Z (p = 0) is not in force so W stays: 0.60 + 0.05 = 0.65 → 65
        ("replaces", [65.0; 3]),
        // cn: MFN + R = 0.026 raised to 0.15, plus S 0.25 → 0.40 → 40; vn, kr: 0.15 → 15
        ("floor_over", [40.0, 15.0, 15.0]),
        // empty floor_over = every applicable measure. cn: 0.026 + 0 + 0.25 = 0.276
        // >= 0.15 → 27.6; vn, kr: 0.026 < 0.15 → 0.15 → 15
        ("floor_all", [27.6, 15.0, 15.0]),
        // documented: each floor tops up its own sum, top-ups add:
        // 0.02 + 0.05 + (0.10 - 0.02) + (0.20 - 0.05) = 0.30 → 30
        ("two_floors", [30.0; 3]),
        // a floor measure not in force raises nothing: 0.02 → 2
        ("floor_off", [2.0; 3]),
        // `when = "caught"` never applies at filing: 0.03 → 3
        ("caught_only", [3.0; 3]),
        // KR (no processing, origin in KORUS) claims KORUS → MFN waived → 0; others 3
        ("waived", [3.0, 3.0, 0.0]),
    ];
    for (regime, duties) in cases {
        for (route, duty) in ["cn", "vn", "kr"].into_iter().zip(duties) {
            let o = r.o(regime, route);
            parts(&o, p![goods: 100.0, duty], &format!("{regime}/{route}"));
        }
    }
}

#[test]
fn hs_measure_skips_goods_without_hs() {
    let r = Run::new(&scen(
        GOODS,
        &(direct_route("cn", "CN", "")
            + r#"
[[regimes]]
name = "g"
[[regimes.measures]]
name = "H"
origins = ["*"]
hs = ["85"]
ad_valorem = 0.1
[[regimes.measures]]
name = "N"
origins = ["*"]
ad_valorem = 0.02
"#),
    ));
    // goods have no hs: H does not apply; N 0.02*100 = 2
    parts(&r.o("g", "cn"), p![goods: 100.0, duty: 2.0], "no hs");
}

// ---------------------------------------------------------------------------------------
// De minimis and fees
// ---------------------------------------------------------------------------------------

#[test]
fn de_minimis_at_threshold_by_filed_origin_no_duty_no_fees() {
    // v = 1, units 800 → shipment value CV*units = 800
    let goods = "unit_value = 1.0\nunits = 800\nkg_per_unit = 1.0\n";
    let air = |name: &str, origin: &str, extra: &str| {
        format!(
            "[[routes]]\nname = \"{name}\"\norigin = \"{origin}\"\n{extra}\n[[routes.legs]]\nfrom = \"{origin}\"\nto = \"US\"\nmode = \"air\"\nrate = 0.0\n"
        )
    };
    let routes =
        air("cn", "CN", "") + &air("kr", "KR", "") + &air("cn-as-kr", "CN", "declare = \"KR\"");
    let common = "[[regimes.measures]]\nname = \"M\"\norigins = [\"*\"]\nad_valorem = 0.1\n[regimes.fees]\nentry_fee = 80.0\n";
    let regimes = format!(
        "[[regimes]]\nname = \"at\"\n{common}[regimes.de_minimis]\nthreshold = 800.0\n\
         [[regimes]]\nname = \"below\"\n{common}[regimes.de_minimis]\nthreshold = 799.99\n\
         [[regimes]]\nname = \"except\"\n{common}[regimes.de_minimis]\nthreshold = 800.0\nexcept = [\"CN\"]\n\
         [[regimes]]\nname = \"none\"\n{common}"
    );
    let r = Run::new(&scen(goods, &(routes + &regimes)));
    // de minimis: no duty, no fees → cost = v = 1
    let dm = p![goods: 1.0];
    // otherwise: duty 0.1*1 = 0.1; fees entry_fee/units = 80/800 = 0.1
    let full = p![goods: 1.0, duty: 0.1, fees: 0.1];
    let cases = [
        ("at", "cn", true), // 800 <= 800
        ("at", "kr", true),
        ("below", "cn", false),       // 800 > 799.99
        ("except", "cn", false),      // filed CN in except
        ("except", "kr", true),       // KR not in except
        ("except", "cn-as-kr", true), // filed origin (KR) decides, not the true one
        ("none", "cn", false),        // no [regimes.de_minimis]: none
    ];
    for (regime, route, is_dm) in cases {
        let o = r.o(regime, route);
        let what = format!("{regime}/{route}");
        parts(&o, if is_dm { dm } else { full }, &what);
        assert_eq!(o.has(flag::DE_MINIMIS), is_dm, "{what}: de minimis flag");
    }
}

#[test]
fn fees_informal_formal_clamp_hmf_waiver_entry_fee_per_unit() {
    // v = 2, units 1000. Processing in the origin (no legs before) adds `cost` to CV,
    // giving routes of different customs values in one scenario.
    let goods = "unit_value = 2.0\nunits = 1000\nkg_per_unit = 1.0\nunits_per_feu = 1000\n";
    let route = |name: &str, mode: &str, cost: f64| {
        let proc = if cost > 0.0 {
            format!("[routes.processing]\ncountry = \"CN\"\ncost = {cost:?}\n")
        } else {
            String::new()
        };
        format!(
            "[[routes]]\nname = \"{name}\"\norigin = \"CN\"\n[[routes.legs]]\nfrom = \"CN\"\nto = \"US\"\nmode = \"{mode}\"\nrate = 0.0\n{proc}"
        )
    };
    let routes = route("informal", "ocean", 0.0) // CV 2     → value 2000
        + &route("at-informal", "ocean", 0.5)      // CV 2.5   → value 2500
        + &route("min", "ocean", 3.0)              // CV 5     → value 5000
        + &route("mid", "ocean", 98.0)             // CV 100   → value 100000
        + &route("max", "ocean", 998.0)            // CV 1000  → value 1000000
        + &route("air", "air", 98.0); // CV 100, last leg air
    let fees = "[regimes.fees]\nmpf_rate = 0.003464\nmpf_min = 33.58\nmpf_max = 651.50\ninformal_threshold = 2500.0\nmpf_informal = 2.69\nhmf_rate = 0.00125\nentry_fee = 250.0\n";
    // the agreement: open to CN, rvc >= 0 always holds (and goods without processing
    // qualify because CN is among its origins)
    let fta = |waives: bool| {
        format!("[[regimes.agreements]]\nname = \"FTA\"\norigins = [\"CN\"]\nrule = \"rvc\"\nrvc_threshold = 0.0\nwaives_mpf = {waives}\n")
    };
    let regimes = format!(
        "[[regimes]]\nname = \"full\"\n{fees}\
         [[regimes]]\nname = \"partial\"\n[regimes.fees]\nmpf_rate = 0.01\n\
         [[regimes]]\nname = \"none\"\n\
         [[regimes]]\nname = \"waiver\"\n{fees}{}\
         [[regimes]]\nname = \"no-waiver\"\n{fees}{}",
        fta(true),
        fta(false)
    );
    let r = Run::new(&scen(goods, &(routes + &regimes)));
    let cases: [(&str, [f64; 6]); 5] = [
        (
            "full",
            [
                // informal: 2000 <= 2500 → mpf_informal 2.69; HMF 0.00125*2000 = 2.5;
                // entry 250 → 255.19 / 1000 = 0.25519
                0.25519,
                // at threshold 2500 → informal 2.69; HMF 3.125; 250 → 255.815/1000
                0.255815,
                // formal: 0.003464*5000 = 17.32 < min → 33.58; HMF 6.25; 250
                // → 289.83/1000 = 0.28983
                0.28983,
                // 0.003464*100000 = 346.4; HMF 125; 250 → 721.4/1000 = 0.7214
                0.7214,
                // 0.003464*1e6 = 3464 > max → 651.5; HMF 1250; 250 → 2151.5/1000
                2.1515, // last leg air: no HMF → (346.4 + 250)/1000 = 0.5964
                0.5964,
            ],
        ),
        (
            // missing keys are 0 (mpf_max unlimited): MPF = 0.01 * value, nothing else.
            // informal_threshold 0 → every entry formal.
            // 20/1000, 25/1000, 50/1000, 1000/1000, 10000/1000, 1000/1000
            "partial",
            [0.02, 0.025, 0.05, 1.0, 10.0, 1.0],
        ),
        // no [regimes.fees]: no fees
        ("none", [0.0; 6]),
        (
            // the claimed FTA waives MPF (informal too); HMF and entry fee stay:
            // (2.5+250)/1000, (3.125+250)/1000, (6.25+250)/1000, (125+250)/1000,
            // (1250+250)/1000, 250/1000
            "waiver",
            [0.2525, 0.253125, 0.25625, 0.375, 1.5, 0.25],
        ),
        // claimed but not waiving: as "full"
        (
            "no-waiver",
            [0.25519, 0.255815, 0.28983, 0.7214, 2.1515, 0.5964],
        ),
    ];
    let names = ["informal", "at-informal", "min", "mid", "max", "air"];
    for (regime, want) in cases {
        for (route, fees) in names.into_iter().zip(want) {
            close(
                r.o(regime, route).parts[part::FEES],
                fees,
                &format!("{regime}/{route} fees"),
            );
        }
    }
    // the FTA claim is what waives: the preference flag is set under "waiver"
    assert!(r.o("waiver", "mid").has(flag::PREFERENCE));
}

// ---------------------------------------------------------------------------------------
// Enforcement
// ---------------------------------------------------------------------------------------

/// A relabel route (CN → KR, hub cost 10, no transformation, declared KR: CV = 110) with
/// `direct` (CN → US) as fallback; MFN 3% waived by KORUS (rule shift), Section 301 25%
/// on CN; `regime_extra` is appended to the regime.
fn relabel_scenario(regime_extra: &str) -> String {
    let routes = direct_route("direct", "CN", "")
        + &hub_route(
            "relabel",
            "KR",
            "declare = \"KR\"\nfallback = \"direct\"",
            "cost = 10.0",
        );
    scen(
        GOODS,
        &format!(
            r#"{routes}
[[regimes]]
name = "g"
[[regimes.measures]]
name = "MFN"
origins = ["*"]
ad_valorem = 0.03
waived_by = ["KORUS"]
[[regimes.measures]]
name = "cn301"
origins = ["CN"]
ad_valorem = 0.25
[[regimes.agreements]]
name = "KORUS"
origins = ["KR"]
rule = "shift"
{regime_extra}
"#
        ),
    )
}

#[test]
fn enforcement_caught_lookback_penalty_multiple_and_ad_valorem() {
    let r = Run::new(&relabel_scenario(
        "[regimes.enforcement]\ndetection = 1.0\nlookback_entries = 3.0\npenalty_multiple = 2.0\npenalty_ad_valorem = 0.01\n",
    ));
    // filed: KR + KORUS → MFN waived, no 301 → filed duty 0
    // true: CN, no preference → (0.03 + 0.25) * 110 = 30.8; evaded = 30.8 - 0 = 30.8
    // charge per entry = 30.8 + 2*30.8 + 0.01*110 = 30.8 + 61.6 + 1.1 = 93.5
    // 3 entries → 280.5 booked; duty = true duty 30.8; penalty = 280.5 - 30.8 = 249.7
    // cost = 100 + 10 + 30.8 + 249.7 = 390.5
    let o = r.o("g", "relabel");
    parts(
        &o,
        p![goods: 100.0, processing: 10.0, duty: 30.8, penalty: 249.7],
        "caught relabel",
    );
    // KORUS (rule shift) is claimed but the goods were not transformed: a false claim,
    // not a preference.
    flags(&o, flag::FALSE_CLAIM | flag::CAUGHT, "caught relabel");
    assert!(o.entered);
    // the truthful direct route is never reassessed: (0.03 + 0.25) * 100 = 28
    let o = r.o("g", "direct");
    parts(&o, p![goods: 100.0, duty: 28.0], "direct");
    flags(&o, 0, "direct");
}

#[test]
fn enforcement_defaults_lookback_one_multiple_zero() {
    let r = Run::new(&relabel_scenario(
        "[regimes.enforcement]\ndetection = 1.0\n",
    ));
    // lookback 1, multiple 0, ad valorem 0: charge = evaded = 30.8; booked 30.8;
    // duty = 30.8, penalty = 0 + 30.8 - 30.8 = 0
    let o = r.o("g", "relabel");
    parts(
        &o,
        p![goods: 100.0, processing: 10.0, duty: 30.8],
        "defaults",
    );
    assert!(o.has(flag::CAUGHT));
}

#[test]
fn enforcement_detection_zero_keeps_the_filing() {
    let r = Run::new(&relabel_scenario(
        "[regimes.enforcement]\ndetection = 0.0\npenalty_multiple = 2.0\nlookback_entries = 5.0\n",
    ));
    // never caught: filed duty 0 stands, no penalty
    let o = r.o("g", "relabel");
    parts(&o, p![goods: 100.0, processing: 10.0], "not caught");
    flags(&o, flag::FALSE_CLAIM, "not caught");
}

#[test]
fn enforcement_evaded_floored_at_zero() {
    let r = Run::new(&scen(
        GOODS,
        &(direct_route("cn-as-vn", "CN", "declare = \"VN\"")
            + r#"
[[regimes]]
name = "g"
[[regimes.measures]]
name = "cn"
origins = ["CN"]
ad_valorem = 0.25
[[regimes.measures]]
name = "vn"
origins = ["VN"]
ad_valorem = 0.5
[regimes.enforcement]
detection = 1.0
lookback_entries = 2.0
penalty_multiple = 2.0
penalty_ad_valorem = 0.01
"#),
    ));
    // filed VN: 0.5*100 = 50; true CN: 0.25*100 = 25; evaded = max(25 - 50, 0) = 0
    // charge = 0 + 2*0 + 0.01*100 = 1; 2 entries → 2
    // duty = true duty 25 (the excess 25 filed is refunded, docs/model.md v2.1);
    // penalty = lookback*charge - evaded = 2*1 - 0 = 2; cost = 100 + 25 + 2 = 127
    let o = r.o("g", "cn-as-vn");
    parts(
        &o,
        p![goods: 100.0, duty: 25.0, penalty: 2.0],
        "over-declared",
    );
    flags(&o, flag::FALSE_CLAIM | flag::CAUGHT, "over-declared");
}

#[test]
fn enforcement_caught_measure_replaces_on_reassessment() {
    let routes = direct_route("direct", "CN", "")
        + &hub_route("relabel", "KR", "declare = \"KR\"", "cost = 10.0");
    let r = Run::new(&scen(
        GOODS,
        &(routes
            + r#"
[[regimes]]
name = "g"
[[regimes.measures]]
name = "MFN"
origins = ["*"]
ad_valorem = 0.03
waived_by = ["KORUS"]
[[regimes.measures]]
name = "recip"
origins = ["CN"]
ad_valorem = 0.10
[[regimes.measures]]
name = "trans"
origins = ["CN"]
ad_valorem = 0.40
when = "caught"
replaces = ["recip"]
[[regimes.agreements]]
name = "KORUS"
origins = ["KR"]
rule = "shift"
[regimes.enforcement]
detection = 1.0
"#),
    ));
    // reassessed at CN with `trans` now applying in lieu of `recip`:
    // (0.03 + 0.40) * 110 = 47.3; lookback 1, multiple 0 → penalty 0
    let o = r.o("g", "relabel");
    parts(
        &o,
        p![goods: 100.0, processing: 10.0, duty: 47.3],
        "relabel",
    );
    // the truthful route never sees `trans`: (0.03 + 0.10) * 100 = 13
    parts(&r.o("g", "direct"), p![goods: 100.0, duty: 13.0], "direct");
}

#[test]
fn enforcement_false_preference_only() {
    // truly Korean (transforms) but RVC = 10/110 < 0.45: declaring KR claims KORUS falsely
    let r = Run::new(&scen(
        GOODS,
        &(hub_route(
            "kr",
            "KR",
            "declare = \"KR\"",
            "transforms = true\ncost = 10.0",
        ) + r#"
[[regimes]]
name = "g"
[[regimes.measures]]
name = "MFN"
origins = ["*"]
ad_valorem = 0.03
waived_by = ["KORUS"]
[[regimes.measures]]
name = "cn301"
origins = ["CN"]
ad_valorem = 0.25
[[regimes.agreements]]
name = "KORUS"
origins = ["KR"]
rule = "rvc"
rvc_threshold = 0.45
[regimes.enforcement]
detection = 1.0
penalty_multiple = 2.0
"#),
    ));
    // filed 0 (KR, MFN waived); true: KR without KORUS → MFN 0.03*110 = 3.3
    // charge = 3.3 + 2*3.3 = 9.9; penalty = 0 + 9.9 - 3.3 = 6.6
    let o = r.o("g", "kr");
    parts(
        &o,
        p![goods: 100.0, processing: 10.0, duty: 3.3, penalty: 6.6],
        "false preference",
    );
    // The false KORUS claim is a false claim, not a preference (docs/model.md v2.1).
    flags(
        &o,
        flag::TRUE_ORIGIN_HUB | flag::FALSE_CLAIM | flag::CAUGHT,
        "false preference",
    );
}

#[test]
fn enforcement_caught_fees_reassessed_at_the_true_filing() {
    let r = Run::new(&scen(
        GOODS,
        &(hub_route("relabel", "KR", "declare = \"KR\"", "cost = 10.0")
            + r#"
[[regimes]]
name = "g"
[[regimes.measures]]
name = "cn301"
origins = ["CN"]
ad_valorem = 0.25
[[regimes.agreements]]
name = "KORUS"
origins = ["KR"]
rule = "shift"
waives_mpf = true
[regimes.fees]
mpf_rate = 0.01
entry_fee = 100.0
[regimes.enforcement]
detection = 1.0
"#),
    ));
    // filed with KORUS → no MPF; fees as filed = entry 100/1000 = 0.1 (HMF rate 0).
    // Caught: reassessed whole at the true filing (CN, no KORUS, so no MPF waiver):
    // MPF 0.01 * 110 * 1000 = 1100, fees = (1100 + 100)/1000 = 1.2 per unit.
    // True duty 0.25*110 = 27.5, evaded 27.5, lookback 1, multiple 0 → penalty 0.
    let o = r.o("g", "relabel");
    parts(
        &o,
        p![goods: 100.0, processing: 10.0, duty: 27.5, fees: 1.2],
        "fees at the true filing",
    );
    flags(&o, flag::FALSE_CLAIM | flag::CAUGHT, "caught");
}

#[test]
fn enforcement_de_minimis_and_fees_reassessed_at_true_origin() {
    let routes = hub_route("relabel", "KR", "declare = \"KR\"", "cost = 10.0");
    let regimes = r#"
[[regimes]]
name = "cn-excepted"
[[regimes.measures]]
name = "cn301"
origins = ["CN"]
ad_valorem = 0.25
[regimes.de_minimis]
threshold = 1e9
except = ["CN"]
[regimes.fees]
entry_fee = 100.0
[regimes.enforcement]
detection = 1.0

[[regimes]]
name = "all-in"
[[regimes.measures]]
name = "cn301"
origins = ["CN"]
ad_valorem = 0.25
[regimes.de_minimis]
threshold = 1e9
[regimes.fees]
entry_fee = 100.0
[regimes.enforcement]
detection = 1.0
penalty_multiple = 2.0
"#;
    let r = Run::new(&scen(GOODS, &(routes + regimes)));
    // filed KR: de minimis (110000 <= 1e9, KR not excepted) → filed duty 0, fees 0.
    // caught: true origin CN is excepted → no de minimis: true duty 0.25*110 = 27.5,
    // evaded 27.5, lookback 1, multiple 0 → penalty 0; fees of the true filing:
    // entry fee 100/1000 = 0.1; the de minimis flag follows the true filing (off).
    let o = r.o("cn-excepted", "relabel");
    parts(
        &o,
        p![goods: 100.0, processing: 10.0, duty: 27.5, fees: 0.1],
        "excepted",
    );
    flags(&o, flag::FALSE_CLAIM | flag::CAUGHT, "excepted");
    // nobody excepted: the true origin is de minimis too → true duty 0, fees 0,
    // evaded 0, penalty 1*(0 + 2*0 + 0) - 0 = 0; still de minimis
    let o = r.o("all-in", "relabel");
    parts(&o, p![goods: 100.0, processing: 10.0], "all-in");
    flags(
        &o,
        flag::FALSE_CLAIM | flag::CAUGHT | flag::DE_MINIMIS,
        "all-in",
    );
}

#[test]
fn enforcement_seizure_loses_route_and_adds_fallback() {
    let goods = format!("{GOODS}carrying_rate = 0.365\n");
    let r = Run::new(&scen(
        &goods,
        r#"
[[routes]]
name = "direct"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "US"
mode = "ocean"
rate = 4000.0
days = 20.0

[[routes]]
name = "relabel"
origin = "CN"
declare = "KR"
fallback = "direct"
[[routes.legs]]
from = "CN"
to = "KR"
mode = "ocean"
rate = 400.0
days = 3.0
[routes.processing]
country = "KR"
cost = 10.0
days = 2.0
[[routes.legs]]
from = "KR"
to = "US"
mode = "ocean"
rate = 8000.0
days = 14.0

[[regimes]]
name = "g"
[[regimes.measures]]
name = "MFN"
origins = ["*"]
ad_valorem = 0.03
waived_by = ["KORUS"]
[[regimes.measures]]
name = "cn301"
origins = ["CN"]
ad_valorem = 0.25
[[regimes.agreements]]
name = "KORUS"
origins = ["KR"]
rule = "shift"
[regimes.fees]
entry_fee = 100.0
[regimes.enforcement]
detection = 1.0
penalty_multiple = 2.0
seizure = 1.0
[regimes.inspection]
probability = 1.0
fee = 500.0
days = 5.0
"#,
    ));
    // direct: freight 4000/4000 = 1; duty 0.28*100 = 28; fees 100/1000 = 0.1;
    // inspected (default origins "*"): 500/1000 = 0.5, days 20 + 5 = 25;
    // holding = 0.365 * 100 * 25 / 365 = 2.5; cost = 100+1+28+0.1+0.5+2.5 = 132.1
    let d = r.o("g", "direct");
    parts(
        &d,
        p![goods: 100.0, freight: 1.0, duty: 28.0, fees: 0.1, inspection: 0.5, holding: 2.5],
        "direct",
    );
    close(d.days, 25.0, "direct days");
    // relabel: freight before 400/4000 = 0.1, after 8000/4000 = 2 → 2.1;
    // CV = 100 + 0.1 + 10 = 110.1; processing 10;
    // true duty 0.28 * 110.1 = 30.828, filed 0 → charge 3 * 30.828 = 92.484;
    // penalty = 1 * 92.484 - 30.828 = 61.656 (documented: kept when seized)
    // seized: goods 100 + freight 2.1 + processing 10 + penalty 61.656 + fallback 132.1;
    // no duty, fees, inspection (none happens once seized) or holding
    // days = own 3 + 2 + 14 = 19, plus the fallback's 25 = 44
    let o = r.o("g", "relabel");
    parts(
        &o,
        p![goods: 100.0, freight: 2.1, processing: 10.0, penalty: 61.656, rerouting: 132.1],
        "seized",
    );
    close(o.days, 44.0, "seized days");
    flags(
        &o,
        flag::FALSE_CLAIM | flag::CAUGHT | flag::SEIZED,
        "seized",
    );
    assert!(!o.entered, "a seized shipment did not enter");
}

// ---------------------------------------------------------------------------------------
// Inspection, exclusion, holding
// ---------------------------------------------------------------------------------------

#[test]
fn inspection_by_filed_origin_fee_days_and_exclusion() {
    let goods = format!("{GOODS}carrying_rate = 0.365\n");
    let r = Run::new(&scen(
        &goods,
        r#"
[[routes]]
name = "vn-air"
origin = "VN"
[[routes.legs]]
from = "VN"
to = "US"
mode = "air"
rate = 5.0
days = 3.0

[[routes]]
name = "cn"
origin = "CN"
fallback = "vn-air"
[[routes.legs]]
from = "CN"
to = "US"
mode = "ocean"
rate = 4000.0
days = 20.0

[[routes]]
name = "cn-as-kr"
origin = "CN"
declare = "KR"
[[routes.legs]]
from = "CN"
to = "US"
mode = "ocean"
rate = 4000.0
days = 20.0

[[regimes]]
name = "cn-only"
[regimes.inspection]
origins = ["CN"]
probability = 1.0
fee = 500.0
days = 5.0

[[regimes]]
name = "all"
[regimes.inspection]
probability = 1.0
fee = 500.0
days = 5.0

[[regimes]]
name = "p0"
[regimes.inspection]
probability = 0.0
fee = 500.0
days = 5.0

[[regimes]]
name = "exclude"
[regimes.inspection]
origins = ["CN"]
probability = 1.0
fee = 500.0
days = 5.0
exclusion = 1.0
"#,
    ));
    // not inspected, 20 days: holding = 0.365*100*20/365 = 2.0; freight 1
    let plain = p![goods: 100.0, freight: 1.0, holding: 2.0];
    // inspected: fee 500/1000 = 0.5; days 25 → holding 0.365*100*25/365 = 2.5
    let inspected = p![goods: 100.0, freight: 1.0, inspection: 0.5, holding: 2.5];
    // vn-air: freight 5*2 = 10; days 3 → holding 0.365*100*3/365 = 0.3; cost 110.3;
    // inspected under "all": + 0.5, days 8 → holding 0.8; cost 111.3
    let vn = p![goods: 100.0, freight: 10.0, holding: 0.3];
    let vn_insp = p![goods: 100.0, freight: 10.0, inspection: 0.5, holding: 0.8];
    let cases = [
        ("cn-only", "cn", inspected, 25.0, true),
        ("cn-only", "cn-as-kr", plain, 20.0, false), // filed KR is not inspected
        ("cn-only", "vn-air", vn, 3.0, false),
        ("all", "cn", inspected, 25.0, true), // default origins = "*"
        ("all", "cn-as-kr", inspected, 25.0, true),
        ("all", "vn-air", vn_insp, 8.0, true),
        ("p0", "cn", plain, 20.0, false),
    ];
    for (regime, route, want, days, insp) in cases {
        let o = r.o(regime, route);
        let what = format!("{regime}/{route}");
        parts(&o, want, &what);
        close(o.days, days, &format!("{what} days"));
        assert_eq!(o.has(flag::INSPECTED), insp, "{what}: inspected flag");
    }
    // excluded: lost goods 100 + freight 1, plus the fallback's whole cost 110.3;
    // documented: the inspection fee is 0 (lost category) but own days include the
    // delay: 20 + 5 + fallback 3 = 28. No holding.
    let o = r.o("exclude", "cn");
    parts(
        &o,
        p![goods: 100.0, freight: 1.0, rerouting: 110.3],
        "excluded",
    );
    close(o.days, 28.0, "excluded days");
    flags(&o, flag::INSPECTED | flag::EXCLUDED, "excluded");
    assert!(!o.entered);
}

#[test]
fn holding_uses_customs_value_and_legs_processing_inspection_days() {
    let goods = format!("{GOODS}carrying_rate = 0.365\n");
    let r = Run::new(&scen(
        &goods,
        r#"
[[routes]]
name = "hub"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "KR"
mode = "ocean"
rate = 400.0
days = 3.0
[routes.processing]
country = "KR"
cost = 10.0
days = 2.0
[[routes.legs]]
from = "KR"
to = "US"
mode = "ocean"
rate = 4000.0
days = 14.0

[[regimes]]
name = "g"
[regimes.inspection]
probability = 1.0
days = 5.0
"#,
    ));
    // CV = 100 + 0.1 + 10 = 110.1; days = 3 + 14 (legs) + 2 (processing) + 5 = 24
    // holding = 0.365 * 110.1 * 24 / 365 = 0.001 * 110.1 * 24 = 2.6424
    // freight 0.1 + 1.0 = 1.1; inspection fee 0
    let o = r.o("g", "hub");
    parts(
        &o,
        p![goods: 100.0, freight: 1.1, processing: 10.0, holding: 2.6424],
        "holding",
    );
    close(o.days, 24.0, "days");
}

// ---------------------------------------------------------------------------------------
// Sanctions
// ---------------------------------------------------------------------------------------

#[test]
fn sanctions_operator_ownership_thresholds_aggregation_and_effects() {
    let routes = r#"
[[entities]]
name = "jv"
owners = { alibaba = 0.5, shinsegae = 0.5 }
[[entities]]
name = "solo"
owners = { alibaba = 0.3, tencent = 0.3, other = 0.4 }

[[routes]]
name = "direct"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "US"
mode = "ocean"
rate = 4000.0
days = 20.0

[[routes]]
name = "target"
origin = "CN"
operator = "alibaba"
fallback = "direct"
[[routes.legs]]
from = "CN"
to = "US"
mode = "air"
rate = 1.0
days = 2.0

[[routes]]
name = "jv"
origin = "CN"
operator = "jv"
declare = "KR"
fallback = "direct"
[[routes.legs]]
from = "CN"
to = "KR"
mode = "ocean"
rate = 400.0
days = 3.0
[routes.processing]
country = "KR"
cost = 10.0
days = 2.0
[[routes.legs]]
from = "KR"
to = "US"
mode = "ocean"
rate = 4000.0
days = 14.0

[[routes]]
name = "solo"
origin = "CN"
operator = "solo"
fallback = "direct"
[[routes.legs]]
from = "CN"
to = "US"
mode = "ocean"
rate = 8000.0
days = 10.0
"#;
    let measure = "[[regimes.measures]]\nname = \"cn\"\norigins = [\"CN\"]\nad_valorem = 0.25\n";
    let sanction = |name: &str, target: &str, p: f64, thr: f64, effect: &str| {
        format!(
            "[[regimes.sanctions]]\nname = \"{name}\"\ntarget = \"{target}\"\nprobability = {p:?}\nownership_threshold = {thr:?}\neffect = \"{effect}\"\n"
        )
    };
    // Thirteen sanctions on alibaba, the last in force with probability `p`.
    let many = |p: f64, effect: &str| -> Vec<String> {
        (0..13)
            .map(|k| {
                sanction(
                    &format!("ali-{k}"),
                    "alibaba",
                    if k == 12 { p } else { 0.0 },
                    0.5,
                    effect,
                )
            })
            .collect()
    };
    let regime = |name: &str, sanctions: &[String]| {
        format!(
            "[[regimes]]\nname = \"{name}\"\n{measure}{}",
            sanctions.concat()
        )
    };
    let regimes = [
        regime("s50", &[sanction("ali", "alibaba", 1.0, 0.5, "reroute")]),
        regime("s60", &[sanction("ali", "alibaba", 1.0, 0.6, "reroute")]),
        regime(
            "two",
            &[
                sanction("ali", "alibaba", 1.0, 0.5, "reroute"),
                sanction("ten", "tencent", 1.0, 0.5, "reroute"),
            ],
        ),
        regime("tencent", &[sanction("ten", "tencent", 1.0, 0.5, "reroute")]),
        regime(
            "same-target",
            &[
                sanction("ali", "alibaba", 1.0, 0.5, "reroute"),
                sanction("ali-2", "alibaba", 1.0, 0.5, "reroute"),
            ],
        ),
        regime("two-one-off", &[
            sanction("ali", "alibaba", 1.0, 0.5, "reroute"),
            sanction("ten", "tencent", 0.0, 0.5, "reroute"),
        ]),
        regime("seize", &[sanction("ali", "alibaba", 1.0, 0.5, "seize")]),
        regime(
            "both",
            &[
                sanction("ali-seize", "alibaba", 1.0, 0.5, "seize"),
                sanction("ali", "alibaba", 1.0, 0.5, "reroute"),
            ],
        ),
        regime("p0", &[sanction("ali", "alibaba", 0.0, 0.5, "reroute")]),
        // defaults: ownership_threshold 0.5, effect reroute
        format!(
            "[[regimes]]\nname = \"defaults\"\n{measure}[[regimes.sanctions]]\nname = \"ali\"\ntarget = \"alibaba\"\nprobability = 1.0\n"
        ),
        // More linked sanctions than the plan tabulates (12): the effect is worked out
        // per trial from the sanctions in force, with the same rules.
        regime("many", &many(1.0, "reroute")),
        regime("many-off", &many(0.0, "seize")),
        regime("many-both", &[many(1.0, "seize"), vec![sanction("ali", "alibaba", 1.0, 0.5, "reroute")]].concat()),
    ]
    .concat();
    let r = Run::new(&scen(GOODS, &(routes.to_string() + &regimes)));

    // Unblocked costs (no fees, no holding):
    // direct: freight 4000/4000 = 1, duty 0.25*100 = 25 → 126, 20 days
    let direct = p![goods: 100.0, freight: 1.0, duty: 25.0];
    // target: air 1*2 = 2, duty 25 → 127, 2 days
    let target = p![goods: 100.0, freight: 2.0, duty: 25.0];
    // jv: freight 0.1 + 1.0 = 1.1; CV = 100 + 0.1 + 10 = 110.1; filed KR → no duty;
    // processing 10 → 111.1, 3 + 2 + 14 = 19 days; a false claim (no enforcement)
    let jv = p![goods: 100.0, freight: 1.1, processing: 10.0];
    // solo: 8000/4000 = 2, duty 25 → 127, 10 days
    let solo = p![goods: 100.0, freight: 2.0, duty: 25.0];
    // rerouted: rerouting = the fallback's whole cost 126, all else 0, days 20,
    // flags = blocked only
    let rerouted = p![rerouting: 126.0];

    let check =
        |regime: &str, route: &str, blocked: bool, own: P, own_days: f64, own_flags: u16| {
            let o = r.o(regime, route);
            let what = format!("{regime}/{route}");
            if blocked {
                parts(&o, rerouted, &what);
                close(o.days, 20.0, &format!("{what} days"));
                flags(&o, flag::BLOCKED, &what);
                assert!(!o.entered, "{what}: entered");
            } else {
                parts(&o, own, &what);
                close(o.days, own_days, &format!("{what} days"));
                flags(&o, own_flags, &what);
            }
        };
    // (regime, [target blocked, jv blocked, solo blocked])
    let cases = [
        // operator is the target; jv 0.5 >= 0.5; solo 0.3 < 0.5
        ("s50", [true, true, false]),
        // jv 0.5 < 0.6
        ("s60", [true, false, false]),
        // solo: alibaba 0.3 + tencent 0.3 = 0.6 >= 0.5 together
        ("two", [true, true, true]),
        // solo: tencent alone 0.3 < 0.5; the others are not owned by tencent
        ("tencent", [false, false, false]),
        // the same target twice counts once: solo 0.3 < 0.5
        ("same-target", [true, true, false]),
        // tencent's sanction not in force: solo 0.3 < 0.5
        ("two-one-off", [true, true, false]),
        // neither in force
        ("p0", [false, false, false]),
        ("defaults", [true, true, false]),
        ("many", [true, true, false]),
        ("many-off", [false, false, false]),
    ];
    for (regime, blocked) in cases {
        check(regime, "direct", false, direct, 20.0, 0);
        check(regime, "target", blocked[0], target, 2.0, 0);
        check(regime, "jv", blocked[1], jv, 19.0, flag::FALSE_CLAIM);
        check(regime, "solo", blocked[2], solo, 10.0, 0);
    }
    // documented: reroute wins over seize when both stop the route
    check("many-both", "target", true, target, 2.0, 0);
    check("both", "target", true, target, 2.0, 0);
    check("both", "jv", true, jv, 19.0, 0);
    check("both", "solo", false, solo, 10.0, 0);

    // seize: lost goods, freight, hub costs, plus the fallback's whole cost;
    // days own + fallback's; documented flags BLOCKED | SEIZED
    // target: 100 + 2 + 126 = 228; days 2 + 20 = 22
    let o = r.o("seize", "target");
    parts(
        &o,
        p![goods: 100.0, freight: 2.0, rerouting: 126.0],
        "seize/target",
    );
    close(o.days, 22.0, "seize/target days");
    flags(&o, flag::BLOCKED | flag::SEIZED, "seize/target");
    // jv: 100 + 1.1 + 10 + 126 = 237.1; days 19 + 20 = 39
    let o = r.o("seize", "jv");
    parts(
        &o,
        p![goods: 100.0, freight: 1.1, processing: 10.0, rerouting: 126.0],
        "seize/jv",
    );
    close(o.days, 39.0, "seize/jv days");
    flags(&o, flag::BLOCKED | flag::SEIZED, "seize/jv");
    check("seize", "solo", false, solo, 10.0, 0);
}

// ---------------------------------------------------------------------------------------
// Draws: common random numbers, keyed by purpose
// ---------------------------------------------------------------------------------------

/// Routes with random draws everywhere; `regimes` appended.
fn random_scenario(extra_route_first: &str, regimes: &str) -> String {
    let goods = r#"hs = "8543.70"
unit_value = { dist = "triangular", min = 20.0, mode = 30.0, max = 40.0 }
units = 2000
kg_per_unit = 0.4
units_per_feu = 6000
carrying_rate = 0.2
"#;
    let rest = format!(
        r#"
[fx]
KRW = {{ dist = "lognormal", median = 1400.0, sigma = 0.08 }}

[[entities]]
name = "jv"
owners = {{ alibaba = 0.5, shinsegae = 0.5 }}
{extra_route_first}
[[routes]]
name = "direct"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "US"
mode = "ocean"
rate = {{ dist = "lognormal", median = 2600.0, sigma = 0.4 }}
days = {{ dist = "triangular", min = 11.0, mode = 14.0, max = 18.0 }}
fees = {{ dist = "uniform", min = 0.1, max = 0.25 }}

[[routes]]
name = "assembly"
origin = "CN"
operator = "jv"
fallback = "direct"
[[routes.legs]]
from = "CN"
to = "KR"
mode = "ocean"
rate = {{ dist = "uniform", min = 150.0, max = 500.0 }}
days = {{ dist = "triangular", min = 2.0, mode = 4.0, max = 8.0 }}
[routes.processing]
country = "KR"
cost = {{ dist = "pert", min = 8400.0, mode = 12000.0, max = 19200.0 }}
currency = "KRW"
materials = {{ dist = "lognormal", median = 24000.0, sigma = 0.15 }}
markup = {{ dist = "pert", min = 0.02, mode = 0.05, max = 0.10 }}
days = {{ dist = "triangular", min = 3.0, mode = 5.0, max = 10.0 }}
transforms = true
[[routes.legs]]
from = "KR"
to = "US"
mode = "ocean"
rate = {{ dist = "lognormal", median = 2600.0, sigma = 0.4 }}
days = {{ dist = "triangular", min = 10.0, mode = 12.0, max = 14.0 }}

[[routes]]
name = "relabel"
origin = "CN"
operator = "jv"
declare = "KR"
fallback = "direct"
[[routes.legs]]
from = "CN"
to = "KR"
mode = "ocean"
rate = {{ dist = "uniform", min = 150.0, max = 500.0 }}
days = {{ dist = "triangular", min = 2.0, mode = 4.0, max = 8.0 }}
[routes.processing]
country = "KR"
cost = {{ dist = "uniform", min = 300.0, max = 800.0 }}
currency = "KRW"
days = {{ dist = "triangular", min = 1.0, mode = 2.0, max = 4.0 }}
[[routes.legs]]
from = "KR"
to = "US"
mode = "ocean"
rate = {{ dist = "lognormal", median = 2600.0, sigma = 0.4 }}
days = {{ dist = "triangular", min = 10.0, mode = 12.0, max = 14.0 }}

[[routes]]
name = "jp"
origin = "JP"
[[routes.legs]]
from = "JP"
to = "US"
mode = "air"
rate = {{ dist = "uniform", min = 3.0, max = 6.0 }}
days = {{ dist = "uniform", min = 1.0, max = 3.0 }}
{regimes}"#
    );
    scen(goods, &rest)
}

/// A regime with uncertain measures, sanctions, enforcement and inspection.
fn random_regime(name: &str, jp_rate: f64) -> String {
    format!(
        r#"
[[regimes]]
name = "{name}"
[[regimes.measures]]
name = "MFN"
origins = ["*"]
ad_valorem = 0.026
waived_by = ["KORUS"]
[[regimes.measures]]
name = "cn301"
origins = ["CN"]
ad_valorem = 0.25
probability = 0.7
[[regimes.measures]]
name = "campaign"
origins = ["CN"]
ad_valorem = 0.6
probability = 0.4
replaces = ["cn301"]
[[regimes.measures]]
name = "jp-duty"
origins = ["JP"]
ad_valorem = {jp_rate:?}
probability = 0.5
[[regimes.agreements]]
name = "KORUS"
origins = ["KR"]
rule = "shift_and_rvc"
rvc_threshold = 0.45
waives_mpf = true
[regimes.fees]
mpf_rate = 0.003464
mpf_min = 33.58
mpf_max = 651.50
hmf_rate = 0.00125
entry_fee = 250.0
[regimes.enforcement]
detection = 0.3
lookback_entries = {{ dist = "triangular", min = 1.0, mode = 12.0, max = 36.0 }}
penalty_multiple = {{ dist = "uniform", min = 1.0, max = 4.0 }}
penalty_ad_valorem = 0.01
seizure = 0.3
[regimes.inspection]
origins = ["KR"]
probability = 0.3
days = {{ dist = "triangular", min = 5.0, mode = 10.0, max = 30.0 }}
fee = 500.0
exclusion = 0.1
[[regimes.sanctions]]
name = "ofac"
target = "alibaba"
probability = 0.2
"#
    )
}

#[test]
fn identical_regimes_identical_outcomes_every_trial() {
    let text = random_scenario("", &(random_regime("a", 0.1) + &random_regime("b", 0.1)));
    let mut r = Run::new(&text);
    let n = r.plan.n_routes();
    let mut seen = [0u32; 9];
    for t in 0..1000 {
        r.trial(42, t);
        for k in 0..n {
            let (a, b) = (r.s.outcomes[k], r.s.outcomes[n + k]);
            assert_eq!(a, b, "trial {t}, route {k}: identical regimes differ");
            // the goods value is a trial-level draw: every route that carries its own
            // goods (not rerouted) books the same v
            if a.parts[part::GOODS] != 0.0 {
                assert_eq!(a.parts[part::GOODS], r.s.outcomes[0].parts[part::GOODS]);
            }
            for (i, s) in seen.iter_mut().enumerate() {
                if a.flags & (1 << i) != 0 {
                    *s += 1;
                }
            }
        }
    }
    // the test means something only if the events actually happened
    for (i, s) in seen.iter().enumerate() {
        if i != 8 {
            assert!(
                *s > 0,
                "flag {} never raised in 1000 trials",
                tariffsim::model::FLAGS[i]
            );
        }
    }
}

#[test]
fn regime_differing_in_one_measure_leaves_other_draws_alone() {
    let text = random_scenario("", &(random_regime("a", 0.1) + &random_regime("b", 0.5)));
    let mut r = Run::new(&text);
    let n = r.plan.n_routes();
    let jp = r.route("jp");
    let mut differ = 0;
    for t in 0..1000 {
        r.trial(42, t);
        for k in 0..n {
            let (a, b) = (r.s.outcomes[k], r.s.outcomes[n + k]);
            for c in [part::GOODS, part::FREIGHT, part::PROCESSING] {
                assert_eq!(a.parts[c], b.parts[c], "trial {t} route {k} component {c}");
            }
            assert_eq!(a.days, b.days, "trial {t} route {k} days");
            if k == jp {
                differ += usize::from(a.cost != b.cost);
            } else {
                // routes the JP measure cannot reach are identical in every respect
                assert_eq!(a, b, "trial {t} route {k}");
            }
        }
    }
    // jp-duty in force in about half the trials: the regimes do differ there
    assert!(
        differ > 300 && differ < 700,
        "jp differs in {differ} of 1000 trials"
    );
}

#[test]
fn adding_a_route_leaves_other_routes_draws_unchanged() {
    let extra = r#"
[[routes]]
name = "extra"
origin = "VN"
[[routes.legs]]
from = "VN"
to = "US"
mode = "ocean"
rate = { dist = "uniform", min = 1000.0, max = 3000.0 }
days = 20.0
"#;
    let mut a = Run::new(&random_scenario("", &random_regime("a", 0.1)));
    let mut b = Run::new(&random_scenario(extra, &random_regime("a", 0.1)));
    for t in 0..300 {
        a.trial(9, t);
        b.trial(9, t);
        for name in ["direct", "assembly", "relabel", "jp"] {
            assert_eq!(a.o("a", name), b.o("a", name), "trial {t} route {name}");
        }
    }
}

#[test]
fn in_force_draws_nested_by_name_and_shared_by_group() {
    let goods = GOODS;
    let routes = direct_route("cn", "CN", "")
        + &direct_route("op", "VN", "operator = \"alibaba\"\nfallback = \"cn\"");
    let regimes = r#"
[[regimes]]
name = "low"
[[regimes.sanctions]]
name = "S"
target = "alibaba"
probability = 0.5
group = "g"
[[regimes.measures]]
name = "X"
origins = ["*"]
ad_valorem = 0.1
probability = 0.3
[[regimes.measures]]
name = "G1"
origins = ["*"]
ad_valorem = 0.01
probability = 0.5
group = "g"
[[regimes.measures]]
name = "G2"
origins = ["*"]
ad_valorem = 0.02
probability = 0.5
group = "g"

[[regimes]]
name = "high"
[[regimes.measures]]
name = "X"
origins = ["*"]
ad_valorem = 0.1
probability = 0.6
"#;
    let mut r = Run::new(&scen(goods, &(routes + regimes)));
    let (mut low, mut high) = (0, 0);
    for t in 0..1000 {
        r.trial(3, t);
        // CV 100: X adds 10, G1 adds 1, G2 adds 2
        let dl = r.o("low", "cn").parts[part::DUTY];
        let dh = r.o("high", "cn").parts[part::DUTY];
        let x_low = dl >= 10.0 - 1e-9;
        let x_high = near(dh, 10.0);
        let g = dl - if x_low { 10.0 } else { 0.0 };
        // same group, same probability: both or neither (0 or 1 + 2 = 3)
        assert!(
            near(g, 0.0) || near(g, 3.0),
            "trial {t}: group split, duty {dl}"
        );
        // a sanction of the same group shares that draw
        let blocked = r.o("low", "op").has(flag::BLOCKED);
        assert_eq!(
            blocked,
            near(g, 3.0),
            "trial {t}: sanction and measures of group g"
        );
        // same name: in force at 0.3 implies in force at 0.6 (nested)
        assert!(
            !x_low || x_high,
            "trial {t}: X in force at p=0.3 but not at p=0.6"
        );
        low += usize::from(x_low);
        high += usize::from(x_high);
    }
    assert!(low > 230 && low < 370, "X at p=0.3 in force {low}/1000");
    assert!(high > 530 && high < 670, "X at p=0.6 in force {high}/1000");
}

#[test]
fn route_event_draws_shared_by_regimes_nested() {
    let routes = direct_route("direct", "CN", "")
        + &direct_route("cn-as-kr", "CN", "declare = \"KR\"\nfallback = \"direct\"");
    let regime = |name: &str, p: f64| {
        format!(
            "[[regimes]]\nname = \"{name}\"\n[[regimes.measures]]\nname = \"cn\"\norigins = [\"CN\"]\nad_valorem = 0.25\n[regimes.enforcement]\ndetection = {p:?}\n[regimes.inspection]\nprobability = {p:?}\nfee = 1000.0\n"
        )
    };
    let mut r = Run::new(&scen(
        GOODS,
        &(routes + &regime("low", 0.3) + &regime("high", 0.6)),
    ));
    for t in 0..1000 {
        r.trial(5, t);
        for route in ["direct", "cn-as-kr"] {
            let (l, h) = (r.o("low", route), r.o("high", route));
            assert!(
                !l.has(flag::CAUGHT) || h.has(flag::CAUGHT),
                "trial {t} {route}: caught"
            );
            assert!(
                !l.has(flag::INSPECTED) || h.has(flag::INSPECTED),
                "trial {t} {route}: inspected"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Regime bases (Details)
// ---------------------------------------------------------------------------------------

#[test]
fn base_merges_measures_by_name_and_tables_key_by_key() {
    let r = Run::new(&scen(
        GOODS,
        &(direct_route("cn", "CN", "")
            + r#"
[[regimes]]
name = "a"
[[regimes.measures]]
name = "M1"
origins = ["*"]
ad_valorem = 0.1
[[regimes.measures]]
name = "M2"
origins = ["*"]
ad_valorem = 0.2
[[regimes.measures]]
name = "M3"
origins = ["*"]
ad_valorem = 0.4
[regimes.fees]
entry_fee = 100.0
mpf_rate = 0.01

[[regimes]]
name = "b"
base = "a"
remove = ["M3"]
[[regimes.measures]]
name = "M2"
origins = ["*"]
ad_valorem = 0.05
[[regimes.measures]]
name = "M4"
origins = ["*"]
per_unit = 1.0
[regimes.fees]
entry_fee = 200.0

[[regimes]]
name = "c"
base = "b"
"#),
    ));
    // a: 0.1 + 0.2 + 0.4 = 0.7 → 70; fees (100 + 0.01*100000)/1000 = 1.1
    parts(
        &r.o("a", "cn"),
        p![goods: 100.0, duty: 70.0, fees: 1.1],
        "a",
    );
    // b: M1 0.1 + M2 replaced by 0.05, M3 removed, M4 1.0/unit → 15 + 1 = 16;
    // fees merge key by key (docs/model.md v2.2): entry_fee 200 from b, mpf_rate 0.01 kept
    // from a → (200 + 0.01*100000)/1000 = 1.2
    parts(
        &r.o("b", "cn"),
        p![goods: 100.0, duty: 16.0, fees: 1.2],
        "b",
    );
    // c: a chained copy of b
    parts(
        &r.o("c", "cn"),
        p![goods: 100.0, duty: 16.0, fees: 1.2],
        "c",
    );
}

// ---------------------------------------------------------------------------------------
// Scenario rules of "Details" the cost model relies on
// ---------------------------------------------------------------------------------------

/// A valid two-route scenario; `route_extra` goes into route `hub` (CN → KR → `leg2_to`),
/// `regime_extra` after regime `a`'s measure `M`.
fn variant(route_extra: &str, leg2_to: &str, regime_extra: &str) -> String {
    scen(
        GOODS,
        &format!(
            r#"
[[routes]]
name = "direct"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "US"
mode = "ocean"
rate = 0.0

[[routes]]
name = "hub"
origin = "CN"
{route_extra}
[[routes.legs]]
from = "CN"
to = "KR"
mode = "ocean"
rate = 0.0
[[routes.legs]]
from = "KR"
to = "{leg2_to}"
mode = "ocean"
rate = 0.0

[[regimes]]
name = "a"
[[regimes.measures]]
name = "M"
origins = ["*"]
ad_valorem = 0.1
{regime_extra}
"#
        ),
    )
}

#[test]
fn dangling_names_broken_chains_and_base_loops_are_errors() {
    let valid = |text: &str| tariffsim::scenario::from_str("t.toml", text).is_ok();
    let ok = variant("", "US", "");
    assert!(valid(&ok), "the base variant is valid");
    let proc_in = |c: &str, extra: &str| format!("[routes.processing]\ncountry = \"{c}\"\n{extra}");
    let regime_b = |body: &str| format!("[[regimes]]\nname = \"b\"\n{body}");
    let bad = [
        (
            "dangling fallback",
            variant("fallback = \"nowhere\"", "US", ""),
        ),
        (
            "dangling currency",
            variant(&proc_in("KR", "currency = \"XYZ\""), "US", ""),
        ),
        (
            "dangling replaces",
            variant("", "US", "replaces = [\"nothing\"]"),
        ),
        (
            "dangling floor_over",
            variant("", "US", "floor = 0.1\nfloor_over = [\"nothing\"]"),
        ),
        (
            "dangling waived_by",
            variant("", "US", "waived_by = [\"nothing\"]"),
        ),
        (
            "dangling base",
            variant("", "US", &regime_b("base = \"nothing\"")),
        ),
        (
            "dangling remove",
            variant("", "US", &regime_b("base = \"a\"\nremove = [\"nothing\"]")),
        ),
        (
            "base loop",
            variant(
                "",
                "US",
                &(regime_b("base = \"c\"\n") + "[[regimes]]\nname = \"c\"\nbase = \"b\"\n"),
            ),
        ),
        ("last leg not into US", variant("", "JP", "")),
        (
            "processing where no leg arrives",
            variant(&proc_in("VN", ""), "US", ""),
        ),
        ("unknown key", variant("colour = \"red\"", "US", "")),
        (
            "legs do not chain",
            ok.replace("from = \"KR\"", "from = \"JP\""),
        ),
    ];
    for (what, text) in bad {
        assert!(!valid(&text), "{what} was accepted:\n{text}");
    }
}

// ---------------------------------------------------------------------------------------
// docs/model.md v2.1 and v2.2
// ---------------------------------------------------------------------------------------

/// A free CN → US route of `days` days and one regime per `(name, effective_day)`, each
/// with the measure `china-60` (60% on CN) timed by its own `effective_day`.
fn timed_regimes(days: f64, regimes: &[(&str, &str)]) -> String {
    let mut s = scen(
        GOODS,
        &format!(
            "[[routes]]\nname = \"direct\"\norigin = \"CN\"\n[[routes.legs]]\nfrom = \"CN\"\nto = \"US\"\nmode = \"ocean\"\nrate = 0.0\ndays = {days}\n"
        ),
    );
    for (name, eff) in regimes {
        s += &format!(
            "\n[[regimes]]\nname = \"{name}\"\n[[regimes.measures]]\nname = \"china-60\"\norigins = [\"CN\"]\nad_valorem = 0.6\neffective_day = {eff}\n"
        );
    }
    s
}

#[test]
fn effective_day_is_each_regimes_own() {
    // Entry on day 50 (departure 0 + 50 days of legs). Regime `early` starts the measure
    // on day 40 (applies: 0.6 * 100 = 60), `late` on day 60 (does not apply). v2 used
    // the first regime's day for both, so `late` paid 60 too.
    let r = Run::new(&timed_regimes(50.0, &[("early", "40.0"), ("late", "60.0")]));
    parts(
        &r.o("early", "direct"),
        p![goods: 100.0, duty: 60.0],
        "early",
    );
    parts(&r.o("late", "direct"), p![goods: 100.0], "late");
    // Reordered, the same numbers.
    let r = Run::new(&timed_regimes(50.0, &[("late", "60.0"), ("early", "40.0")]));
    parts(
        &r.o("early", "direct"),
        p![goods: 100.0, duty: 60.0],
        "early",
    );
    parts(&r.o("late", "direct"), p![goods: 100.0], "late");
}

#[test]
fn effective_days_share_one_uniform_across_regimes() {
    // a: day ~ U(0, 100), applies when 100u <= 50, i.e. u <= 0.5;
    // b: day ~ U(0, 200), applies when u <= 0.25; c: U(100, 200) never applies.
    // One uniform per measure name: b applies only in trials where a does (comonotone).
    let regimes = [
        ("a", "{ dist = \"uniform\", min = 0.0, max = 100.0 }"),
        ("b", "{ dist = \"uniform\", min = 0.0, max = 200.0 }"),
        ("c", "{ dist = \"uniform\", min = 100.0, max = 200.0 }"),
    ];
    let mut r = Run::new(&timed_regimes(50.0, &regimes));
    let (n, mut na, mut nb) = (20_000u64, 0u64, 0u64);
    let key = tariffsim::rng::purpose_key("effective_day:measure:china-60");
    for t in 0..n {
        r.trial(11, t);
        let u = tariffsim::rng::TrialRng::new(11, t).uniform(key);
        let (a, b, c) = (r.o("a", "direct"), r.o("b", "direct"), r.o("c", "direct"));
        assert_eq!(a.parts[part::DUTY] > 0.0, 100.0 * u <= 50.0, "a at u={u}");
        assert_eq!(b.parts[part::DUTY] > 0.0, 200.0 * u <= 50.0, "b at u={u}");
        assert_eq!(c.parts[part::DUTY], 0.0, "c");
        assert!(
            b.parts[part::DUTY] == 0.0 || a.parts[part::DUTY] > 0.0,
            "nested"
        );
        na += u64::from(a.parts[part::DUTY] > 0.0);
        nb += u64::from(b.parts[part::DUTY] > 0.0);
    }
    // Shares 0.5 and 0.25 within 4 standard errors.
    for (k, p) in [(na, 0.5), (nb, 0.25)] {
        let se = (p * (1.0 - p) / n as f64).sqrt();
        assert!(
            (k as f64 / n as f64 - p).abs() < 4.0 * se,
            "{k} of {n} vs {p}"
        );
    }
    // Reordering the regimes changes no outcome of any trial.
    let mut q = Run::new(&timed_regimes(50.0, &[regimes[2], regimes[0], regimes[1]]));
    for t in 0..2_000 {
        r.trial(11, t);
        q.trial(11, t);
        for g in ["a", "b", "c"] {
            assert_eq!(
                r.o(g, "direct").cost,
                q.o(g, "direct").cost,
                "{g} trial {t}"
            );
        }
    }
}

#[test]
fn true_preference_on_a_false_origin_counts_in_both() {
    // Relabelled in KR without transformation (non-preferential origin CN), but the hub
    // adds RVC = 100/200 = 0.5 >= 0.45, so the KORUS claim is true while the filed
    // origin is false: p_preference and p_false_claim both count it.
    let r = Run::new(&scen(
        GOODS,
        &(hub_route("kr", "KR", "declare = \"KR\"", "cost = 100.0")
            + r#"
[[regimes]]
name = "g"
[[regimes.measures]]
name = "MFN"
origins = ["*"]
ad_valorem = 0.03
waived_by = ["KORUS"]
[[regimes.agreements]]
name = "KORUS"
origins = ["KR"]
rule = "rvc"
rvc_threshold = 0.45
"#),
    ));
    let o = r.o("g", "kr");
    parts(&o, p![goods: 100.0, processing: 100.0], "kr");
    flags(&o, flag::PREFERENCE | flag::FALSE_CLAIM, "kr");
}

/// Routes `direct` and `op` (run by `operator`), entities as given, and one regime with
/// sanction `s` on `alibaba` in force (probability defaults to 1) at `threshold`.
fn ownership_scenario(entities: &str, operator: &str, threshold: f64) -> String {
    scen(
        GOODS,
        &format!(
            r#"{entities}
{direct}
[[routes]]
name = "op"
origin = "CN"
operator = "{operator}"
fallback = "direct"
[[routes.legs]]
from = "CN"
to = "US"
mode = "air"
rate = 1.0

[[regimes]]
name = "g"
[[regimes.sanctions]]
name = "s"
target = "alibaba"
ownership_threshold = {threshold}
"#,
            direct = direct_route("direct", "CN", ""),
        ),
    )
}

#[test]
fn ownership_follows_entities_that_own_entities() {
    // `op` by air: 1 USD/kg * 2 kg = 2 per unit → cost 102 when it runs; when stopped
    // (reroute), the rerouting component is direct's 100.
    let stopped = |o: &Outcome, what: &str| {
        parts(o, p![rerouting: 100.0], what);
        flags(o, flag::BLOCKED, what);
    };
    let runs = |o: &Outcome, what: &str| {
        parts(o, p![goods: 100.0, freight: 2.0], what);
        flags(o, 0, what);
    };
    // holdco 100% alibaba → blocked; jv 50% holdco → 0.5 >= 0.5: stopped (one level
    // deeper than v2 looked).
    let e = "[[entities]]\nname = \"holdco\"\nowners = { alibaba = 1.0 }\n[[entities]]\nname = \"jv\"\nowners = { holdco = 0.5, shinsegae = 0.5 }\n";
    stopped(
        &Run::new(&ownership_scenario(e, "jv", 0.5)).o("g", "op"),
        "chain",
    );
    // holdco only 40% alibaba → not blocked at 0.5, so jv (50% holdco) runs.
    let e = "[[entities]]\nname = \"holdco\"\nowners = { alibaba = 0.4, other = 0.6 }\n[[entities]]\nname = \"jv\"\nowners = { holdco = 0.5, shinsegae = 0.5 }\n";
    runs(
        &Run::new(&ownership_scenario(e, "jv", 0.5)).o("g", "op"),
        "40% holdco",
    );
    // ... but at a threshold of 0.4 holdco is blocked, and jv with it (0.5 >= 0.4).
    stopped(
        &Run::new(&ownership_scenario(e, "jv", 0.4)).o("g", "op"),
        "threshold 0.4",
    );
    // Aggregation across levels: holdco 60% alibaba (blocked) holds 30% of jv, alibaba
    // 20% directly: 0.3 + 0.2 = 0.5 → stopped.
    let e = "[[entities]]\nname = \"holdco\"\nowners = { alibaba = 0.6, other = 0.4 }\n[[entities]]\nname = \"jv\"\nowners = { holdco = 0.3, alibaba = 0.2, shinsegae = 0.5 }\n";
    stopped(
        &Run::new(&ownership_scenario(e, "jv", 0.5)).o("g", "op"),
        "aggregate",
    );
    // Three levels: alibaba → a (100%) → b (60%) → jv (50%).
    let e = "[[entities]]\nname = \"a\"\nowners = { alibaba = 1.0 }\n[[entities]]\nname = \"b\"\nowners = { a = 0.6, x = 0.4 }\n[[entities]]\nname = \"jv\"\nowners = { b = 0.5, y = 0.5 }\n";
    stopped(
        &Run::new(&ownership_scenario(e, "jv", 0.5)).o("g", "op"),
        "three levels",
    );
}

/// A relabelling route and regimes `base` (enforcement: detection 0, look-back 3,
/// multiple 2; fees entry 100, MPF 1%; KORUS) and `child` with `child` as its body.
fn base_merge_scenario(child: &str) -> String {
    relabel_scenario(&format!(
        r#"[regimes.enforcement]
detection = 0.0
lookback_entries = 3.0
penalty_multiple = 2.0
[regimes.fees]
entry_fee = 100.0
mpf_rate = 0.01

[[regimes]]
name = "child"
base = "g"
{child}"#
    ))
}

#[test]
fn base_tables_merge_key_by_key_and_remove_drops_tables() {
    // The child writes only `detection = 1`: look-back 3 and multiple 2 stay (v2 lost
    // them). relabel: CV 110, true duty 0.28 * 110 = 30.8, filed 0 → charge
    // 30.8 * 3 = 92.4 per entry; 3 entries → 277.2; penalty = 277.2 - 30.8 = 246.4.
    // Fees at the true filing: (100 + 0.01 * 110000) / 1000 = 1.2.
    let r = Run::new(&base_merge_scenario(
        "[regimes.enforcement]\ndetection = 1.0\n",
    ));
    parts(
        &r.o("child", "relabel"),
        p![goods: 100.0, processing: 10.0, duty: 30.8, fees: 1.2, penalty: 246.4],
        "child",
    );
    // The base itself never catches: filed duty 0 (this KORUS does not waive the MPF),
    // fees 1.2 as filed.
    parts(
        &r.o("g", "relabel"),
        p![goods: 100.0, processing: 10.0, fees: 1.2],
        "base",
    );
    // `remove` drops whole tables, agreements and measures: no fees, no KORUS (so no
    // preference claimed), no MFN; cn301 does not cover the filed KR: duty 0, and never
    // caught without enforcement.
    let r = Run::new(&base_merge_scenario(
        "remove = [\"fees\", \"KORUS\", \"MFN\", \"enforcement\"]\n",
    ));
    parts(
        &r.o("child", "relabel"),
        p![goods: 100.0, processing: 10.0],
        "removed",
    );
    flags(&r.o("child", "relabel"), flag::FALSE_CLAIM, "removed");
    // A removed table written again by the child starts afresh: only entry_fee 50.
    let r = Run::new(&base_merge_scenario(
        "remove = [\"fees\"]\n[regimes.fees]\nentry_fee = 50.0\n",
    ));
    parts(
        &r.o("child", "relabel"),
        p![goods: 100.0, processing: 10.0, fees: 0.05],
        "fees afresh",
    );
}

#[test]
fn since_first_lookback_is_geometric_in_detection_capped_by_the_limit() {
    // detection 0.25, no limit: L = G = max(1, ceil(ln(1-u) / ln(0.75))) at the route's
    // look-back uniform u; charge = evaded 30.8 (multiple 0), penalty = 30.8 * L - 30.8.
    let scenario = |extra: &str| {
        relabel_scenario(&format!(
            "[regimes.enforcement]\ndetection = 0.25\nlookback_entries = \"since_first\"\n{extra}"
        ))
    };
    let detect = tariffsim::rng::purpose_key("route:relabel/detection");
    let lookback = tariffsim::rng::purpose_key("route:relabel/lookback_entries");
    for (extra, limit) in [("", f64::INFINITY), ("lookback_limit = 4\n", 4.0)] {
        let mut r = Run::new(&scenario(extra));
        let (mut caught, mut sum_l, n) = (0u64, 0.0, 40_000u64);
        for t in 0..n {
            r.trial(3, t);
            let rng = tariffsim::rng::TrialRng::new(3, t);
            let o = r.o("g", "relabel");
            if rng.uniform(detect) >= 0.25 {
                assert!(!o.has(flag::CAUGHT));
                continue;
            }
            let u = rng.uniform(lookback);
            let g = ((1.0 - u).ln() / 0.75f64.ln()).ceil().max(1.0);
            let l = g.min(limit);
            close(o.parts[part::PENALTY], 30.8 * l - 30.8, "penalty");
            caught += 1;
            sum_l += l;
        }
        // E[min(G, K)] = (1 - 0.75^K) / 0.25: 4 unlimited, 2.734375 at K = 4; the sd of
        // G is sqrt(0.75) / 0.25 = 3.46 (an upper bound for the capped one).
        let want = (1.0 - 0.75f64.powf(limit)) / 0.25;
        let se = 0.75f64.sqrt() / 0.25 / (caught as f64).sqrt();
        let mean = sum_l / caught as f64;
        assert!((mean - want).abs() < 4.0 * se, "mean L {mean} vs {want}");
    }
    // detection 1: always the first entry, L = 1.
    let r = Run::new(&relabel_scenario(
        "[regimes.enforcement]\ndetection = 1.0\nlookback_entries = \"since_first\"\npenalty_multiple = 1.0\n",
    ));
    // charge = 30.8 + 30.8 = 61.6, L = 1: penalty = 61.6 - 30.8 = 30.8
    parts(
        &r.o("g", "relabel"),
        p![goods: 100.0, processing: 10.0, duty: 30.8, penalty: 30.8],
        "detection 1",
    );
}

#[test]
fn normal_eight_sd_above_zero_is_accepted_for_a_rate_of_freight() {
    // Mean 3000 >= 8 * 340 = 2720: accepted; draws never go negative.
    let text = |sd: f64| {
        scen(
            GOODS,
            &format!(
                "[[routes]]\nname = \"d\"\norigin = \"CN\"\n[[routes.legs]]\nfrom = \"CN\"\nto = \"US\"\nmode = \"ocean\"\nrate = {{ dist = \"normal\", mean = 3000, sd = {sd} }}\n[[regimes]]\nname = \"g\"\n"
            ),
        )
    };
    let mut r = Run::new(&text(340.0));
    let mut sum = 0.0;
    for t in 0..20_000 {
        r.trial(5, t);
        let f = r.o("g", "d").parts[part::FREIGHT];
        assert!(f > 0.0);
        sum += f;
    }
    // Mean freight 3000 / 4000 = 0.75 per unit; se = 340/4000/sqrt(20000) = 6.0e-4.
    assert!((sum / 20_000.0 - 0.75).abs() < 4.0 * 6.0e-4);
    // 3000 < 8 * 400 = 3200: refused, asking for a truncation.
    let e = tariffsim::scenario::from_str("t.toml", &text(400.0)).unwrap_err();
    assert!(e.to_string().contains("truncate it with `min`"), "{e}");
}
