//! Custom field values: their types, validation rules and canonical forms.

use super::TicketError;
use super::model::{FieldDef, FieldKind};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A field value, as given in commands and stored on tickets.
///
/// In JSON it is a plain value: `true`, `42`, `12.5`, `"text"`, or a money object
/// `{"minor": 1250, "currency": "EUR"}`. The desk turns what is given into the
/// field's canonical form: numbers become [`FieldValue::Number`], date-times
/// [`FieldValue::Int`] epoch milliseconds, phone numbers lose their separators,
/// money becomes [`FieldValue::Money`] in minor units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FieldValue {
    /// A bool.
    Bool(bool),
    /// An integer (a date-time is stored as epoch milliseconds).
    Int(i64),
    /// A decimal number.
    Number(f64),
    /// Text (also enum values, dates, phone numbers, e-mail addresses, and money
    /// written as `"12.50 EUR"`).
    Text(String),
    /// Money in minor units (cents for a precision of 2).
    Money(Money),
}

impl FieldValue {
    fn type_name(&self) -> &'static str {
        match self {
            FieldValue::Bool(_) => "a bool",
            FieldValue::Int(_) => "an integer",
            FieldValue::Number(_) => "a number",
            FieldValue::Text(_) => "text",
            FieldValue::Money(_) => "money",
        }
    }
}

impl From<&str> for FieldValue {
    fn from(s: &str) -> Self {
        FieldValue::Text(s.to_string())
    }
}
impl From<String> for FieldValue {
    fn from(s: String) -> Self {
        FieldValue::Text(s)
    }
}
impl From<i64> for FieldValue {
    fn from(v: i64) -> Self {
        FieldValue::Int(v)
    }
}
impl From<f64> for FieldValue {
    fn from(v: f64) -> Self {
        FieldValue::Number(v)
    }
}
impl From<bool> for FieldValue {
    fn from(v: bool) -> Self {
        FieldValue::Bool(v)
    }
}

/// An amount of money in minor units of its currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Money {
    /// Amount in minor units at the field's precision (1250 = 12.50 at precision 2).
    pub minor: i64,
    /// ISO 4217 code, e.g. `EUR`.
    pub currency: String,
}

/// A field definition ready to validate values.
#[derive(Clone, Debug)]
pub(crate) struct Field {
    pub def: FieldDef,
    pattern: Option<Regex>,
    pub precision: u8,
}

/// Turns a phone number into its canonical form: separators removed, `00` prefix as
/// `+`; `None` unless the result is an optional `+` and 7 to 15 digits.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let mut s: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '/'))
        .collect();
    if let Some(rest) = s.strip_prefix("00") {
        s = format!("+{rest}");
    }
    let digits = s.strip_prefix('+').unwrap_or(&s);
    let ok = (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !(s.starts_with('+') && digits.starts_with('0'));
    ok.then_some(s)
}

/// `true` for an address shaped `local@domain.tld`.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    s.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b))
        && domain.contains('.')
        && domain.split('.').all(label_ok)
}

fn is_currency(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())
}

impl Field {
    /// Checks the definition; the error is `(sub-path, message)`.
    pub fn compile(def: &FieldDef) -> Result<Field, (String, String)> {
        use FieldKind::*;
        let e = |p: &str, m: &str| Err((p.to_string(), m.to_string()));
        let text_like = matches!(def.kind, Text | Enum | Phone | Email);
        if (def.min_length.is_some() || def.max_length.is_some()) && !text_like {
            return e(
                "min_length",
                "length rules apply to text, enum, phone and email fields",
            );
        }
        if let (Some(a), Some(b)) = (def.min_length, def.max_length)
            && a > b
        {
            return e("min_length", "min_length is above max_length");
        }
        if (def.min.is_some() || def.max.is_some()) && !matches!(def.kind, Number | Money) {
            return e("min", "min and max apply to number and money fields");
        }
        for (p, v) in [("min", def.min), ("max", def.max)] {
            if v.is_some_and(|v| !v.is_finite()) {
                return e(p, "must be a finite number");
            }
        }
        if let (Some(a), Some(b)) = (def.min, def.max)
            && a > b
        {
            return e("min", "min is above max");
        }
        if def.pattern.is_some() && !matches!(def.kind, Text | Phone | Email) {
            return e("pattern", "pattern applies to text, phone and email fields");
        }
        let pattern = match &def.pattern {
            Some(p) => Some(
                regex::RegexBuilder::new(&format!("^(?:{p})$"))
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|err| ("pattern".to_string(), format!("invalid regex: {err}")))?,
            ),
            None => None,
        };
        if def.kind == Enum && def.values.is_empty() {
            return e("values", "an enum field needs at least one value");
        }
        if def.kind != Enum && !def.values.is_empty() {
            return e("values", "values apply to enum fields");
        }
        if def.kind != Money && (def.currency.is_some() || def.precision.is_some()) {
            return e("currency", "currency and precision apply to money fields");
        }
        if let Some(c) = &def.currency
            && !is_currency(c)
        {
            return e("currency", "must be a three-letter ISO 4217 code such as EUR");
        }
        let precision = def.precision.unwrap_or(2);
        if precision > 6 {
            return e("precision", "at most 6 decimal places");
        }
        Ok(Field {
            def: def.clone(),
            pattern,
            precision,
        })
    }

    fn invalid(&self, reason: impl Into<String>) -> TicketError {
        TicketError::InvalidFieldValue {
            field: self.def.name.clone(),
            reason: reason.into(),
        }
    }

    fn wrong(&self, v: &FieldValue) -> TicketError {
        TicketError::WrongFieldType {
            field: self.def.name.clone(),
            expected: self.def.kind.as_str(),
            got: v.type_name(),
        }
    }

    /// Checks a value against the field's type and rules; returns its canonical form.
    pub fn normalize(&self, v: FieldValue) -> Result<FieldValue, TicketError> {
        use FieldKind::*;
        let out = match (self.def.kind, &v) {
            (Bool, FieldValue::Bool(_)) => v,
            (Number, FieldValue::Int(i)) => FieldValue::Number(*i as f64),
            (Number, FieldValue::Number(_)) => v,
            (Text | Enum, FieldValue::Text(_)) => v,
            (Phone, FieldValue::Text(s)) => FieldValue::Text(
                normalize_phone(s).ok_or_else(|| self.invalid("not a phone number (+ and 7-15 digits)"))?,
            ),
            (Email, FieldValue::Text(s)) if is_email(s) => v,
            (Email, FieldValue::Text(_)) => return Err(self.invalid("not an e-mail address")),
            (Date, FieldValue::Text(s)) => FieldValue::Text(self.date(s)?),
            (Datetime, FieldValue::Int(ms)) if *ms >= 0 => v,
            (Datetime, FieldValue::Int(_)) => return Err(self.invalid("before 1970")),
            (Datetime, FieldValue::Text(s)) => FieldValue::Int(self.datetime(s)?),
            (Money, FieldValue::Text(s)) => FieldValue::Money(self.parse_money(s)?),
            (Money, FieldValue::Money(m)) => {
                self.currency_ok(&m.currency)?;
                v
            }
            _ => return Err(self.wrong(&v)),
        };
        self.check_rules(&out)?;
        Ok(out)
    }

    fn check_rules(&self, v: &FieldValue) -> Result<(), TicketError> {
        let d = &self.def;
        if let FieldValue::Text(s) = v {
            let n = s.chars().count();
            if let Some(min) = d.min_length
                && n < min as usize
            {
                return Err(self.invalid(format!("shorter than {min} characters")));
            }
            if let Some(max) = d.max_length
                && n > max as usize
            {
                return Err(self.invalid(format!("longer than {max} characters")));
            }
            if let Some(p) = &self.pattern
                && !p.is_match(s)
            {
                return Err(self.invalid(format!("does not match `{}`", d.pattern.as_deref().unwrap_or(""))));
            }
            if d.kind == FieldKind::Enum && !d.values.iter().any(|x| x == s) {
                return Err(self.invalid(format!("`{s}` is not one of {}", d.values.join(", "))));
            }
        }
        let amount = match v {
            FieldValue::Number(x) if !x.is_finite() => return Err(self.invalid("not a finite number")),
            FieldValue::Number(x) => Some(*x),
            FieldValue::Money(m) => Some(m.minor as f64 / 10f64.powi(i32::from(self.precision))),
            _ => None,
        };
        if let Some(x) = amount {
            if d.min.is_some_and(|min| x < min) {
                return Err(self.invalid(format!("below the minimum {}", d.min.unwrap_or_default())));
            }
            if d.max.is_some_and(|max| x > max) {
                return Err(self.invalid(format!("above the maximum {}", d.max.unwrap_or_default())));
            }
        }
        Ok(())
    }

    fn date(&self, s: &str) -> Result<String, TicketError> {
        match s.parse::<jiff::civil::Date>() {
            Ok(d) if s.len() == 10 => Ok(d.to_string()),
            _ => Err(self.invalid("not a date YYYY-MM-DD")),
        }
    }

    fn datetime(&self, s: &str) -> Result<i64, TicketError> {
        match s.parse::<jiff::Timestamp>() {
            Ok(t) if t.as_millisecond() >= 0 => Ok(t.as_millisecond()),
            _ => Err(self.invalid("not an RFC 3339 date-time after 1970 (2026-03-01T09:30:00Z)")),
        }
    }

    fn currency_ok(&self, c: &str) -> Result<(), TicketError> {
        if !is_currency(c) {
            return Err(self.invalid(format!("`{c}` is not a currency code")));
        }
        match &self.def.currency {
            Some(want) if want != c => Err(self.invalid(format!("currency must be {want}"))),
            _ => Ok(()),
        }
    }

    /// `"12.50 EUR"`, `"EUR 12.50"` or `"12.50"` (in the field's currency).
    fn parse_money(&self, s: &str) -> Result<Money, TicketError> {
        let parts: Vec<&str> = s.split_whitespace().collect();
        let (amount, currency) = match parts.as_slice() {
            [a] => (*a, None),
            [a, c] if is_currency(c) => (*a, Some(*c)),
            [c, a] if is_currency(c) => (*a, Some(*c)),
            _ => return Err(self.invalid("not an amount such as `12.50 EUR`")),
        };
        let currency = match (currency, &self.def.currency) {
            (Some(c), _) => c.to_string(),
            (None, Some(c)) => c.clone(),
            (None, None) => return Err(self.invalid("needs a currency, such as `12.50 EUR`")),
        };
        self.currency_ok(&currency)?;
        let minor = parse_decimal(amount, self.precision).map_err(|m| self.invalid(m))?;
        Ok(Money { minor, currency })
    }

    /// A sample value of the field's type, for trying guards at load time.
    pub fn sample(&self) -> CelValue {
        use FieldKind::*;
        let d = &self.def;
        match d.kind {
            Text => CelValue::Str("x".into()),
            Enum => CelValue::Str(d.values.first().cloned().unwrap_or_default()),
            Date => CelValue::Str("2026-01-01".into()),
            Phone => CelValue::Str("+15550000000".into()),
            Email => CelValue::Str("a@example.com".into()),
            Number => CelValue::Float(1.0),
            Bool => CelValue::Bool(true),
            Datetime => CelValue::Int(1),
            Money => self.to_cel(&FieldValue::Money(super::fields::Money {
                minor: 100,
                currency: d.currency.clone().unwrap_or_else(|| "EUR".into()),
            })),
        }
    }

    /// How a guard sees a stored value.
    pub fn to_cel(&self, v: &FieldValue) -> CelValue {
        match v {
            FieldValue::Bool(b) => CelValue::Bool(*b),
            FieldValue::Int(i) => CelValue::Int(*i),
            FieldValue::Number(x) => CelValue::Float(*x),
            FieldValue::Text(s) => CelValue::Str(s.clone()),
            FieldValue::Money(m) => {
                let mut map = BTreeMap::new();
                let amount = m.minor as f64 / 10f64.powi(i32::from(self.precision));
                map.insert("amount", CelValue::Float(amount));
                map.insert("minor", CelValue::Int(m.minor));
                map.insert("currency", CelValue::Str(m.currency.clone()));
                CelValue::Map(map)
            }
        }
    }
}

/// `-12.5` at precision 2 is -1250; more decimals than `precision` is an error.
fn parse_decimal(s: &str, precision: u8) -> Result<i64, String> {
    let bad = || format!("`{s}` is not an amount with at most {precision} decimals");
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty()
        || frac.len() > usize::from(precision)
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        || (body.contains('.') && frac.is_empty())
    {
        return Err(bad());
    }
    let scale = 10i64.pow(u32::from(precision));
    let mut minor: i64 = 0;
    for b in int.bytes() {
        minor = minor
            .checked_mul(10)
            .and_then(|m| m.checked_add(i64::from(b - b'0')))
            .ok_or_else(bad)?;
    }
    minor = minor.checked_mul(scale).ok_or_else(bad)?;
    let mut f: i64 = 0;
    for b in frac.bytes() {
        f = f * 10 + i64::from(b - b'0');
    }
    f *= 10i64.pow(u32::from(precision) - frac.len() as u32);
    let total = minor.checked_add(f).ok_or_else(bad)?;
    Ok(if neg { -total } else { total })
}

/// A value as CEL guards see it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub(crate) enum CelValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<String>),
    Map(BTreeMap<&'static str, CelValue>),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(kind: FieldKind) -> FieldDef {
        FieldDef {
            name: "f".into(),
            label: None,
            kind,
            required: false,
            min_length: None,
            max_length: None,
            min: None,
            max: None,
            pattern: None,
            values: vec![],
            currency: None,
            precision: None,
        }
    }

    #[test]
    fn phone_and_email_shapes() {
        assert_eq!(
            normalize_phone("+351 912-345 678").as_deref(),
            Some("+351912345678")
        );
        assert_eq!(
            normalize_phone("00351912345678").as_deref(),
            Some("+351912345678")
        );
        assert_eq!(normalize_phone("+0123456789"), None);
        assert_eq!(normalize_phone("12345"), None);
        assert_eq!(normalize_phone("anonymous"), None);
        assert!(is_email("ana.silva@example.pt"));
        assert!(!is_email("ana@localhost"));
        assert!(!is_email("a b@example.com"));
        assert!(!is_email("@example.com"));
    }

    #[test]
    fn money_is_parsed_to_minor_units() {
        let mut d = field(FieldKind::Money);
        d.currency = Some("EUR".into());
        d.max = Some(1000.0);
        let f = Field::compile(&d).unwrap();
        let m = |s: &str| f.normalize(FieldValue::Text(s.into()));
        assert_eq!(
            m("12.5 EUR").unwrap(),
            FieldValue::Money(Money {
                minor: 1250,
                currency: "EUR".into()
            })
        );
        assert_eq!(
            m("-3").unwrap(),
            FieldValue::Money(Money {
                minor: -300,
                currency: "EUR".into()
            })
        );
        assert_eq!(m("1.234").unwrap_err().code(), 6007);
        assert_eq!(m("12 USD").unwrap_err().code(), 6007);
        assert_eq!(m("1000.01").unwrap_err().code(), 6007);
        assert_eq!(m("99999999999999999999").unwrap_err().code(), 6007);
        assert_eq!(f.normalize(FieldValue::Bool(true)).unwrap_err().code(), 6005);
    }

    #[test]
    fn dates_numbers_and_rules() {
        let f = Field::compile(&field(FieldKind::Date)).unwrap();
        assert_eq!(
            f.normalize("2026-02-28".into()).unwrap(),
            FieldValue::Text("2026-02-28".into())
        );
        assert_eq!(f.normalize("2026-02-30".into()).unwrap_err().code(), 6007);
        let f = Field::compile(&field(FieldKind::Datetime)).unwrap();
        assert_eq!(
            f.normalize("1970-01-01T00:00:01Z".into()).unwrap(),
            FieldValue::Int(1000)
        );
        let f = Field::compile(&field(FieldKind::Number)).unwrap();
        assert_eq!(f.normalize(FieldValue::Int(3)).unwrap(), FieldValue::Number(3.0));
        assert_eq!(
            f.normalize(FieldValue::Number(f64::NAN)).unwrap_err().code(),
            6007
        );
        let mut d = field(FieldKind::Text);
        d.pattern = Some("[A-Z]{2}[0-9]+".into());
        d.max_length = Some(6);
        let f = Field::compile(&d).unwrap();
        assert!(f.normalize("AB12".into()).is_ok());
        assert_eq!(f.normalize("xAB12".into()).unwrap_err().code(), 6007);
        assert_eq!(f.normalize("AB12345".into()).unwrap_err().code(), 6007);
        let mut d = field(FieldKind::Number);
        d.pattern = Some("x".into());
        assert_eq!(Field::compile(&d).unwrap_err().0, "pattern");
    }
}
