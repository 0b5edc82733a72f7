"""Countries and US states by name: what a "Which country …?" or "Which state …?" question asks for.

The country names are CLDR's English territory names as Babel ships them ("&" spelt "and",
"St." as "Saint", "Hong Kong SAR China" as "Hong Kong", both Congos as "Congo"), without
Antarctica, the uninhabited islands, the parts CLDR also lists on their own (Canary Islands,
Ceuta and Melilla, Ascension, Tristan da Cunha, Diego Garcia, Sark) and its groupings (EU,
Eurozone, UN, Outlying Oceania), plus the short and older forms news text uses ("US", "UK",
"Britain", "England", "Turkey", "Burma", "Ivory Coast"). One name per ``|``; a name may hold
spaces.
"""

from __future__ import annotations

_COUNTRIES = """
Afghanistan | Albania | Algeria | America | American Samoa | Andorra | Angola | Anguilla |
Antigua and Barbuda | Argentina | Armenia | Aruba | Australia | Austria | Azerbaijan | Bahamas |
Bahrain | Bangladesh | Barbados | Belarus | Belgium | Belize | Benin | Bermuda | Bhutan |
Bolivia | Bosnia and Herzegovina | Botswana | Brazil | Britain | British Indian Ocean Territory
| British Virgin Islands | Brunei | Bulgaria | Burkina Faso | Burma | Burundi | Cabo Verde |
Cambodia | Cameroon | Canada | Cape Verde | Caribbean Netherlands | Cayman Islands | Central
African Republic | Chad | Chile | China | Christmas Island | Cocos Islands | Colombia | Comoros
| Congo | Cook Islands | Costa Rica | Croatia | Cuba | Curaçao | Cyprus | Czech Republic |
Czechia | Côte d’Ivoire | Denmark | Djibouti | Dominica | Dominican Republic | East Timor |
Ecuador | Egypt | El Salvador | England | Equatorial Guinea | Eritrea | Estonia | Eswatini |
Ethiopia | Falkland Islands | Faroe Islands | Fiji | Finland | France | French Guiana | French
Polynesia | Gabon | Gambia | Georgia | Germany | Ghana | Gibraltar | Great Britain | Greece |
Greenland | Grenada | Guadeloupe | Guam | Guatemala | Guernsey | Guinea | Guinea-Bissau | Guyana
| Haiti | Holland | Honduras | Hong Kong | Hungary | Iceland | India | Indonesia | Iran | Iraq |
Ireland | Isle of Man | Israel | Italy | Ivory Coast | Jamaica | Japan | Jersey | Jordan |
Kazakhstan | Kenya | Kiribati | Kosovo | Kuwait | Kyrgyzstan | Laos | Latvia | Lebanon | Lesotho
| Liberia | Libya | Liechtenstein | Lithuania | Luxembourg | Macao | Macau | Madagascar | Malawi
| Malaysia | Maldives | Mali | Malta | Marshall Islands | Martinique | Mauritania | Mauritius |
Mayotte | Mexico | Micronesia | Moldova | Monaco | Mongolia | Montenegro | Montserrat | Morocco
| Mozambique | Myanmar | Namibia | Nauru | Nepal | Netherlands | New Caledonia | New Zealand |
Nicaragua | Niger | Nigeria | Niue | Norfolk Island | North Korea | North Macedonia | Northern
Ireland | Northern Mariana Islands | Norway | Oman | Pakistan | Palau | Palestine | Palestinian
Territories | Panama | Papua New Guinea | Paraguay | Peru | Philippines | Pitcairn Islands |
Poland | Portugal | Puerto Rico | Qatar | Romania | Russia | Rwanda | Réunion | Saint Barthélemy
| Saint Helena, Ascension and Tristan da Cunha | Saint Kitts and Nevis | Saint Lucia | Saint
Martin | Saint Pierre and Miquelon | Saint Vincent and Grenadines | Samoa | San Marino | Saudi
Arabia | Scotland | Senegal | Serbia | Seychelles | Sierra Leone | Singapore | Sint Maarten |
Slovakia | Slovenia | Solomon Islands | Somalia | South Africa | South Korea | South Sudan |
Spain | Sri Lanka | Sudan | Suriname | Svalbard and Jan Mayen | Swaziland | Sweden | Switzerland
| Syria | São Tomé and Príncipe | Taiwan | Tajikistan | Tanzania | Thailand | Timor-Leste | Togo
| Tokelau | Tonga | Trinidad and Tobago | Tunisia | Turkey | Turkmenistan | Turks and Caicos
Islands | Tuvalu | Türkiye | U.S. | U.S. Virgin Islands | Uganda | UK | Ukraine | United Arab
Emirates | United Kingdom | United States | Uruguay | US | USA | Uzbekistan | Vanuatu | Vatican
City | Venezuela | Vietnam | Wales | Wallis and Futuna | Western Sahara | Yemen | Zambia |
Zimbabwe | Åland Islands
"""

_US_STATES = """
Alabama | Alaska | Arizona | Arkansas | California | Colorado | Connecticut | Delaware | Florida
| Georgia | Hawaii | Idaho | Illinois | Indiana | Iowa | Kansas | Kentucky | Louisiana | Maine |
Maryland | Massachusetts | Michigan | Minnesota | Mississippi | Missouri | Montana | Nebraska |
Nevada | New Hampshire | New Jersey | New Mexico | New York | North Carolina | North Dakota |
Ohio | Oklahoma | Oregon | Pennsylvania | Rhode Island | South Carolina | South Dakota |
Tennessee | Texas | Utah | Vermont | Virginia | Washington | West Virginia | Wisconsin | Wyoming
"""


def _names(block: str) -> frozenset[str]:
    return frozenset(n.strip() for n in " ".join(block.split()).split("|") if n.strip())


COUNTRIES: frozenset[str] = _names(_COUNTRIES)
US_STATES: frozenset[str] = _names(_US_STATES)
