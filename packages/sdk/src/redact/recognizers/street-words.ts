// Word lists of the street-address recognizer, shared with the text profile's keyword gate (text-profile.ts).

/** Street-type words in the languages most addresses are written in. Suffix forms are matched as word endings. */
export const TYPES =
  'street|st|road|rd|avenue|ave|av|lane|ln|drive|dr|boulevard|blvd|court|ct|way|place|pl|terrace|close|crescent|circle|cir|parkway|pkwy|highway|hwy|square|sq|row|walk|gardens|grove|hill|alley|trail|plaza|path|loop|mews|quay|wharf|esplanade'
export const PREFIXES =
  'rua|avenida|avenue|avda\\.?|av\\.|via|viale|piazza|corso|calle|carrera|transversal|carrer|paseo|plaza|praça|travessa|estrada|rue|boulevard|bd\\.?|chemin|allée|place|ul\\.|ulica|aleja|al\\.|trg|náměstí|nám\\.|utca|út|tér|str\\.|λ\\.|οδός|πλατεία|jalan|jl\\.'
export const SUFFIXES =
  'straße|strasse|str\\.|gasse|weg|platz|allee|ring|damm|ufer|laan|straat|gracht|plein|kade|vej|gade|gate|gata|gatan|vägen|veien|väg|katu|tie|kuja|polku|tori|braut|gränd|stræde|utca|út|bulvarı|bulvari|caddesi|cad\\.|sokak|sokağı|sok\\.'

/**
 * The phrases the address-context pattern needs, not their bare words: "mail" alone is in every "@mail." domain and
 * "send" in most requests, and would send those texts through every pattern.
 */
export const CONTEXT_PHRASES = [
  ...['address', 'lives at', 'live at', 'living at', 'live in', 'located at', 'reside at', 'resides at'],
  ...['moved to', 'ship to', 'shipped to', 'deliver to', 'delivered to', 'mail to', 'mailed to', 'send to'],
  ...['send it to', 'send this to', 'send them to', 'send a new one to', 'return to', 'returned to'],
  ...['return it to', 'returned it to', 'meet at', 'meet me at'],
]

/** Words that open a post box in other languages (`Postbus 1230`, `Postfach 10 04 52`, `Caixa Postal 45`). */
export const POST_BOX_WORDS = ['postbus', 'postfach', 'apartado', 'caixa', 'casella', 'boîte', 'boite', 'skrytka']

/** Every literal of the keyword gate: street types, prefixes, unit words and address phrases. */
/**
 * Romanised Korean and Japanese address words joined to a name by a hyphen: a road ("Teheran-ro", "Sejong-daero",
 * "Insadong-gil") and a district or ward ("Gangnam-gu", "Shinjuku-ku", "Kita-ku", "Nakano-shi").
 */
export const HYPHEN_ROADS = ['ro', 'gil', 'daero']
export const HYPHEN_DISTRICTS = ['gu', 'ku', 'shi', 'cho', 'machi', 'gun', 'dong']

/**
 * The word for an address in other languages, written as the text profile's ASCII letter runs read it (`direcci` of
 * `dirección`, `endere` of `endereço`): "Adresse: …", "Anschrift: …", "Domicilio: …", "morada: …".
 */
export const ADDRESS_KEYS = [
  ...['adres', 'adresse', 'adresa', 'adress', 'adressen', 'anschrift', 'wohnhaft', 'domicilio', 'direcci'],
  ...['direccion', 'endere', 'endereco', 'morada', 'indirizzo', 'osoite', 'adresi', 'adresim'],
]

export const GATE_LITERALS = [
  ...TYPES.split('|'),
  ...PREFIXES.split('|').filter((w) => !w.includes('\\')),
  ...['avda', 'avda.', 'av.', 'bd', 'bd.', 'ul.', 'al.', 'nám.', 'str.', 'λ.', 'jl.'],
  ...['apt', 'apartment', 'suite', 'unit', 'flat', 'postbox', 'psc', 'cmr', 'usns', 'usnv', 'apo', 'fpo', 'dpo'],
  ...POST_BOX_WORDS,
  ...CONTEXT_PHRASES,
  ...HYPHEN_ROADS,
  ...HYPHEN_DISTRICTS,
]
