"""Time zones of countries and states, for a lead whose contact has no time zone of its own.

Countries come from pytz.country_timezones (every country it knows): the first zone it
lists is the capital's or the most populated one for most countries, except the few in
COUNTRY_ZONE whose first zone is an outlying region. States are given for the countries
that span several zones, by Odoo's state codes (base/data/res.country.state.csv); a state
that spans several zones gets the zone of most of its people.
"""

import pytz

# Countries whose first pytz zone is not where most of the people live (the first of the
# names that pytz knows).
COUNTRY_ZONE = {
    "AU": "Australia/Sydney",  # first: Lord Howe Island
    "BR": "America/Sao_Paulo",  # first: Fernando de Noronha
    "CA": "America/Toronto",  # first: Newfoundland
    "CL": "America/Santiago",
    "EC": "America/Guayaquil",
    "ES": "Europe/Madrid",
    "PT": "Europe/Lisbon",
    "RU": "Europe/Moscow",  # first: Kaliningrad
    "UA": "Europe/Kyiv Europe/Kiev",  # first: Simferopol; Kyiv is Kiev in older pytz
    "UZ": "Asia/Tashkent",  # first: Samarkand
    "US": "America/New_York",
    "MX": "America/Mexico_City",
}

_US = {
    # AA, AE, AP: Armed Forces mail codes, at the zone of the region they serve.
    "America/New_York": "AA CT DC DE FL GA IN KY MA MD ME MI NC NH NJ NY OH PA RI SC VA VT WV",
    "America/Chicago": "AL AR IA IL KS LA MN MO MS ND NE OK SD TN TX WI",
    "America/Denver": "CO MT NM UT WY",
    "America/Boise": "ID",
    "America/Phoenix": "AZ",
    "America/Los_Angeles": "CA NV OR WA",
    "America/Anchorage": "AK",
    "Pacific/Honolulu": "AP HI",
    "Pacific/Pago_Pago": "AS",
    "Pacific/Chuuk": "FM",
    "Pacific/Guam": "GU",
    "Pacific/Majuro": "MH",
    "Pacific/Saipan": "MP",
    "Pacific/Palau": "PW",
    "America/Puerto_Rico": "PR",
    "America/St_Thomas": "VI",
    "Europe/Berlin": "AE",
}
_CA = {
    "America/Edmonton": "AB NT",
    "America/Vancouver": "BC",
    "America/Winnipeg": "MB",
    "America/Moncton": "NB",
    "America/St_Johns": "NL",
    "America/Halifax": "NS PE",
    "America/Iqaluit": "NU",
    "America/Toronto": "ON QC",
    "America/Regina": "SK",
    "America/Whitehorse": "YT",
}
_AU = {
    "Australia/Sydney": "ACT NSW",
    "Australia/Darwin": "NT",
    "Australia/Brisbane": "QLD",
    "Australia/Adelaide": "SA",
    "Australia/Hobart": "TAS",
    "Australia/Melbourne": "VIC",
    "Australia/Perth": "WA",
}
_BR = {
    "America/Sao_Paulo": "DF ES GO MG PR RJ RS SC SP",
    "America/Bahia": "BA",
    "America/Fortaleza": "CE MA PB PI RN",
    "America/Recife": "PE",
    "America/Maceio": "AL SE",
    "America/Belem": "AP PA",
    "America/Araguaina": "TO",
    "America/Campo_Grande": "MS",
    "America/Cuiaba": "MT",
    "America/Manaus": "AM",
    "America/Porto_Velho": "RO",
    "America/Boa_Vista": "RR",
    "America/Rio_Branco": "AC",
}
_MX = {
    "America/Mexico_City": "AGU CAM CMX COL DUR GRO GUA HID JAL MEX MIC MOR NLE OAX PUE "
    "QUE SLP TAB TLA VER ZAC CHP COA",
    "America/Matamoros": "TAM",
    "America/Cancun": "ROO",
    "America/Merida": "YUC",
    "America/Chihuahua": "CHH",
    "America/Mazatlan": "BCS NAY SIN",
    "America/Hermosillo": "SON",
    "America/Tijuana": "BCN",
}
STATE_ZONES = {"US": _US, "CA": _CA, "AU": _AU, "BR": _BR, "MX": _MX}


def rows():
    """(country_code, state_code, tz) for every country pytz knows ("" as state code) and
    the states of STATE_ZONES; only zones pytz knows, so that calling hours can match them."""
    known = set(pytz.all_timezones)
    result = {}
    for code, zones in pytz.country_timezones.items():
        preferred = [z for z in COUNTRY_ZONE.get(code.upper(), "").split() if z in known]
        result[code.upper(), ""] = (preferred or zones)[0]
    for country, zones in STATE_ZONES.items():
        for zone, states in zones.items():
            if zone not in known:
                continue
            for state in states.split():
                result[country, state] = zone
    return sorted((country, state, zone) for (country, state), zone in result.items())
