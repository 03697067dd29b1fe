"""Active ISO 4217 alphabetic currency codes, for validating the currency of a contract draft.

The set is ISO 4217 List One (current currencies and funds) as published on 2026-01-01: 178 codes,
including fund codes (such as BOV, USN), precious metals (XAU, XAG, XPD, XPT), XTS (testing) and
XXX (no currency). Intake only checks that a code exists, and the eligibility ruleset decides which
currencies can be enrolled.

Source: the Debian iso-codes 4.15.0 table (/usr/share/iso-codes/json/iso_4217.json) with the later
List One amendments applied. XAD, XCG and ZWG were added. ANG, BGN, CUC, HRK, SLL and ZWL were
withdrawn (BGN on 2026-01-01, when Bulgaria adopted the euro). The result matches public copies of
the 2026-01-01 list.
"""

# NOTE: not compared with the maintenance agency's own file (SIX publishes List One as
# list-one.xml). Update this set when an amendment adds or withdraws a code.
# fmt: off
ISO_4217_CODES: frozenset[str] = frozenset(
    (
        "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN",
        "BAM", "BBD", "BDT", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
        "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUP", "CVE", "CZK",
        "DJF", "DKK", "DOP", "DZD",
        "EGP", "ERN", "ETB", "EUR",
        "FJD", "FKP",
        "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD",
        "HKD", "HNL", "HTG", "HUF",
        "IDR", "ILS", "INR", "IQD", "IRR", "ISK",
        "JMD", "JOD", "JPY",
        "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT",
        "LAK", "LBP", "LKR", "LRD", "LSL", "LYD",
        "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN",
        "NAD", "NGN", "NIO", "NOK", "NPR", "NZD",
        "OMR",
        "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG",
        "QAR",
        "RON", "RSD", "RUB", "RWF",
        "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL",
        "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS",
        "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS",
        "VED", "VES", "VND", "VUV",
        "WST",
        "XAD", "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG",
        "XDR", "XOF", "XPD", "XPF", "XPT", "XSU", "XTS", "XUA", "XXX",
        "YER",
        "ZAR", "ZMW", "ZWG",
    )
)
# fmt: on
