import { IntHashTable } from '../int-hash-table.js'
import * as profiles from '../text-profile.js'
import * as lexicons from './person-lexicon.js'

// Bound once to constants of this module (see person-context.ts).
const codeAt = profiles.codeAt
const hashWord = lexicons.hashWord

// PERSON's evidence against a person: the capitalised words name a place or an organisation. Read by the scan for
// candidates of one or two words and at the edges of a run (person-recognizer.ts).

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 39
}

// Words that make the capitalised words next to them a place or an organisation, not a person: a place's first word
// ("Lake Victoria", "Santa Monica", "St. Louis") and an organisation's or place's last ("Hudson River", "Palo Alto
// Networks", "London Stock Exchange"). Some of the last are surnames too (Park, Day, Post, Bank: "Sarah Park"), so
// they count only after a word that is no known given name ("Washington Post", "Queen Elizabeth Olympic Park").
const PLACE_WORDS = new IntHashTable(10)
export const PLACE_HEAD = 1
export const ORG_TAIL = 2
export const ORG_TAIL_SURNAME = 4
export const TEAM = 8
const addPlaceWords = (words: readonly string[], flag: number): void => {
  for (const w of words) PLACE_WORDS.add(hashWord(w, 0, w.length), flag)
}
addPlaceWords(['lake', 'mount', 'mt', 'saint', 'st', 'ste', 'santa', 'san', 'santo', 'sankt', 'sao', 'são'], PLACE_HEAD)
addPlaceWords(['fort', 'port', 'cape', 'lago', 'monte', 'mont'], PLACE_HEAD)
// Shops, cafés and hotels that open their name ("Café Paulistano", "Hotel Adlon", "Tienda Verde", "Farmacia Rossi").
addPlaceWords(
  [
    ...['café', 'cafe', 'hotel', 'hostel', 'restaurant', 'restaurante', 'ristorante', 'trattoria', 'pizzeria'],
    ...['bistro', 'brasserie', 'tienda', 'farmacia', 'pharmacie', 'apotheke', 'bäckerei', 'boulangerie', 'pastificio'],
    ...['panadería', 'librería', 'libreria', 'galería', 'galleria', 'supermercado', 'mercado', 'kiosk'],
  ],
  PLACE_HEAD,
)
// Stations and airports that open their name in other languages ("Gare de Lyon", "Stazione di Firenze", "Stasiun
// Manggarai", "Aeropuerto de Barajas").
addPlaceWords(
  [
    ...['gare', 'stazione', 'estación', 'estacion', 'estação', 'estacao', 'stasiun', 'dworzec', 'bahnhof'],
    ...['aeropuerto', 'aeroporto', 'aéroport', 'aeroport', 'lotnisko', 'bandara', 'flughafen', 'havalimanı'],
  ],
  PLACE_HEAD,
)
addPlaceWords(
  [
    ...['river', 'associates', 'networks', 'exchange', 'inc', 'corp', 'corporation', 'ltd', 'llc', 'llp', 'gmbh'],
    // Company forms of other countries ("Müller AG", "Hansen ApS", "Rossi Srl", "Janssen BV", "Silva Ltda").
    ...['ag', 'kg', 'ohg', 'mbh', 'sarl', 'sas', 'srl', 'bv', 'nv', 'oy', 'oyj', 'aps', 'ltda', 'plc', 'pty', 'pte'],
    ...['group', 'university', 'college', 'institute', 'foundation', 'airport', 'hospital', 'stadium', 'holdings'],
    ...['partners', 'capital', 'ventures', 'labs', 'systems', 'technologies', 'industries', 'motors', 'airlines'],
    // A place named after a person: "Washington State", "Orange County".
    ...['state', 'county'],
    // Landmarks, prizes and institutions named after a person or a place: "Victoria Falls", "Nobel Prize", "Kennedy
    // Center", "Getty Museum", "Warren Commission".
    ...['falls', 'valley', 'canyon', 'creek', 'island', 'islands', 'peninsula', 'desert', 'glacier', 'prize', 'award'],
    ...['sea', 'ocean', 'gulf', 'strait', 'mountains', 'volcano', 'peak', 'delta', 'lagoon', 'reef', 'plateau'],
    ...['awards', 'museum', 'library', 'cathedral', 'palace', 'gallery', 'observatory', 'zoo', 'aquarium', 'academy'],
    ...['centre', 'center', 'theatre', 'theater', 'festival', 'conference', 'summit', 'treaty', 'accords', 'doctrine'],
    ...['ministry', 'department', 'council', 'commission', 'committee', 'agency', 'bureau', 'parliament', 'senate'],
    ...['congress', 'assembly', 'fc'],
    // Stations and airports named by their city in other languages ("Milano Centrale", "Amersfoort Centraal", "Roma
    // Termini", "Warszawa Centralna", "Krakowa Głównego", "München Hbf", "İstanbul Havalimanı").
    ...['centrale', 'centraal', 'central', 'termini', 'centralna', 'centralnej', 'główny', 'głównego', 'główna'],
    ...['hauptbahnhof', 'hbf', 'bahnhof', 'flughafen', 'havalimanı', 'station', 'terminal'],
    // Carriers ("Yurtiçi Kargo", "Fischer Express", "Maersk Line").
    ...['kargo', 'cargo', 'express', 'freight', 'shipping', 'logistik', 'logística', 'spedition'],
  ],
  ORG_TAIL,
)
// Tails that are surnames too ("John Park", "Kate Hall"): an organisation's or a place's unless a known given name
// stands right before ("Central Park", "Carnegie Hall", "Tower Bridge").
addPlaceWords(
  ['park', 'day', 'post', 'bank', 'bridge', 'tower', 'hall', 'church', 'castle', 'bay', 'beach'],
  ORG_TAIL_SURNAME,
)
addPlaceWords(['springs', 'hills', 'heights', 'city', 'forest'], ORG_TAIL_SURNAME)

// Words that name a team, a department or a service, in the languages the engine reads: a sign-off's line holding
// one is who wrote ("Regards, Support Team", "Atentamente, Equipo de Seguridad", "Cordiali saluti, Servizio Clienti",
// "Met vriendelijke groet, Klantenservice"), not a person.
addPlaceWords(
  [
    ...['team', 'support', 'helpdesk', 'desk', 'crew', 'staff', 'department', 'billing', 'operations', 'sales'],
    ...['security', 'marketing', 'payroll', 'recruiting', 'accounting', 'procurement', 'compliance', 'logistics'],
    ...['kundenservice', 'kundendienst', 'kundensupport', 'abteilung', 'vertrieb', 'buchhaltung', 'sicherheit'],
    ...['verwaltung', 'redaktion', 'geschäftsleitung', 'personalabteilung', 'équipe', "l'équipe", 'sécurité'],
    ...['assistance', 'clientèle', 'comptabilité', 'facturation', 'ventes', 'equipo', 'servicio', 'atención'],
    ...['soporte', 'seguridad', 'departamento', 'ventas', 'facturación', 'administración', 'gestión', 'squadra'],
    ...['servizio', 'clienti', 'assistenza', 'supporto', 'sicurezza', 'ufficio', 'amministrazione', 'vendite'],
    ...['fatturazione', 'gestione', 'equipe', 'equipa', 'serviço', 'atendimento', 'suporte', 'segurança', 'vendas'],
    ...['faturamento', 'gestão', 'klantenservice', 'klantendienst', 'afdeling', 'beveiliging', 'verkoop'],
    ...['administratie', 'facturatie', 'ondersteuning', 'dział', 'obsługi', 'klienta', 'zespół', 'servizi'],
    ...['segreteria', 'informatici', 'après-vente', 'secrétariat', 'secretaría', 'secretaria', 'sekretariat'],
  ],
  TEAM,
)

// Compound words that end in one of these name a team or a service too ("Storingsdienst", "Kundenservice-Team").
const TEAM_ENDINGS = ['dienst', 'service', 'team', 'abteilung', 'support', 'afdeling', 'stelle']

/** The word text[start, end) is a compound that names a team or a service (see TEAM_ENDINGS). */
export function teamCompound(text: string, start: number, end: number): boolean {
  if (end - start < 9) return false
  // Compared in place (the endings are ASCII): no slice for each unknown word of a candidate.
  next: for (const e of TEAM_ENDINGS) {
    const at = end - e.length
    for (let i = 0; i < e.length; i++) if ((text.charCodeAt(at + i) | 32) !== e.charCodeAt(i)) continue next
    return true
  }
  return false
}

/** PLACE_HEAD, ORG_TAIL, ORG_TAIL_SURNAME or TEAM for the word text[start, end), or 0. */
export function placeWord(text: string, start: number, end: number): number {
  return end - start > 17 ? 0 : PLACE_WORDS.get(hashWord(text, start, end))
}

/**
 * A firm's name of two single words joined by `&` ("Johnson & Johnson", "Procter & Gamble", "Marks & Spencer"): the
 * word at [start, end) stands right before ` & ` and a capital, or right after a word and ` & `.
 */
export function ampersandPair(text: string, start: number, end: number): boolean {
  if (codeAt(text, end) === 32 && codeAt(text, end + 1) === 38 && codeAt(text, end + 2) === 32) {
    const c = codeAt(text, end + 3)
    if (c >= 65 && c <= 90) return true
  }
  if (codeAt(text, start - 1) === 32 && codeAt(text, start - 2) === 38 && codeAt(text, start - 3) === 32) {
    const c = codeAt(text, start - 4)
    return (c >= 97 && c <= 122) || (c >= 65 && c <= 90)
  }
  return false
}

// Words of travel before "from": "flights from Austin to Charlotte", "the drive from Florence to Siena".
const TRAVEL = new Set([
  ...['flight', 'flights', 'fly', 'flew', 'flying', 'fares', 'fare', 'tickets', 'ticket', 'trip', 'trips', 'route'],
  ...['routes', 'drive', 'drove', 'driving', 'train', 'trains', 'bus', 'buses', 'ferry', 'ferries', 'travel'],
  ...['traveled', 'travelled', 'travelling', 'traveling', 'journey', 'commute', 'shipping', 'miles', 'distance'],
  ...['km', 'kilometres', 'kilometers', 'moved', 'relocated', 'road', 'highway', 'connection', 'connections'],
])

/**
 * A route: the lone word at [start, end) stands in "<travel word> from X to Y" as X or Y ("Flights from Austin to
 * Charlotte are cheaper"). People go from one place to another; a message from Anna to Ben names no travel word.
 */
export function travelRoute(text: string, start: number, end: number): boolean {
  let from = start
  if (text.startsWith(' to ', end)) {
    const c = codeAt(text, end + 4)
    if (!(c >= 65 && c <= 90)) return false
  } else {
    // Y: " to " before it, and a capitalised word (one or two) after "from" before that.
    if (!(codeAt(text, start - 1) === 32 && codeAt(text, start - 2) === 111 && codeAt(text, start - 3) === 116))
      return false
    let i = start - 4
    if (codeAt(text, i) !== 32) return false
    for (let w = 0; w < 2; w++) {
      let k = i
      while (k > 0 && isWordChar(text.charCodeAt(k - 1))) k--
      if (k === i) return false
      const c = text.charCodeAt(k)
      if (!(c >= 65 && c <= 90)) return false
      if (text.startsWith(' from ', k - 6)) {
        from = k
        break
      }
      i = k - 1
      if (codeAt(text, i) !== 32) return false
    }
    if (from === start) return false
  }
  // "from" right before X, and a travel word right before "from".
  if (!(codeAt(text, from - 1) === 32 && text.startsWith('from', from - 5))) return false
  const e = from - 6
  if (codeAt(text, e) !== 32) return false
  let s = e
  while (s > 0 && e - s < 12 && isWordChar(text.charCodeAt(s - 1))) s--
  return TRAVEL.has(text.slice(s, e).toLowerCase())
}

// US states, Canadian provinces and Australian states written out: "Lincoln, Nebraska" is a city in its state. Not those
// that are given names as well (Georgia, Virginia, Victoria): "Thanks Anna, Georgia and Tom" lists people.
const REGIONS = new Set([
  ...['alabama', 'alaska', 'arizona', 'arkansas', 'california', 'colorado', 'connecticut', 'delaware', 'florida'],
  ...['hawaii', 'idaho', 'illinois', 'indiana', 'iowa', 'kansas', 'kentucky', 'louisiana', 'maine', 'maryland'],
  ...['massachusetts', 'michigan', 'minnesota', 'mississippi', 'missouri', 'montana', 'nebraska', 'nevada', 'ohio'],
  ...['oklahoma', 'oregon', 'pennsylvania', 'tennessee', 'texas', 'utah', 'vermont', 'washington', 'wisconsin'],
  ...['wyoming', 'ontario', 'quebec', 'alberta', 'manitoba', 'saskatchewan', 'queensland', 'tasmania'],
  ...['new york', 'new jersey', 'new mexico', 'new hampshire', 'north carolina', 'south carolina', 'north dakota'],
  ...['south dakota', 'west virginia', 'rhode island', 'british columbia', 'nova scotia', 'new brunswick'],
  ...['new south wales', 'western australia', 'south australia'],
])

// US states by their postal codes ("Hawthorne, CA"). Not MD and PA, which are a physician's and a physician
// assistant's titles after a name as often ("Lena Ortiz, MD").
const STATE_CODES = new Set(
  [
    ...['AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS', 'KY', 'LA'],
    ...['ME', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY', 'NC', 'ND', 'OH', 'OK', 'OR'],
    ...['RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV', 'WI', 'WY', 'DC'],
  ].map((code) => code.charCodeAt(0) * 256 + code.charCodeAt(1)),
)

/**
 * ", " and a state or province follow, written out or by its postal code ("Lincoln, Nebraska", "Albany, New York",
 * "Hawthorne, CA"): a city, not a person.
 */
export function regionAfter(text: string, end: number): boolean {
  if (codeAt(text, end) !== 44 || codeAt(text, end + 1) !== 32) return false
  const a = codeAt(text, end + 2)
  const b = codeAt(text, end + 3)
  if (a >= 65 && a <= 90 && b >= 65 && b <= 90 && !isWordChar(codeAt(text, end + 4))) {
    return STATE_CODES.has(a * 256 + b)
  }
  let e = end + 2
  // Up to three capitalised words ("New South Wales").
  for (let w = 0; w < 3; w++) {
    const c = codeAt(text, e)
    if (!(c >= 65 && c <= 90)) return false
    const s = e
    e++
    while (e < text.length && e - s < 14 && text.charCodeAt(e) >= 97 && text.charCodeAt(e) <= 122) e++
    if (isWordChar(codeAt(text, e))) return false
    if (REGIONS.has(text.slice(end + 2, e).toLowerCase())) return true
    if (codeAt(text, e) !== 32) return false
    e++
  }
  return false
}

// Firms, brands and titles named after people, which read as a person's full name ("Morgan Stanley", "Washington
// Post", "Calvin Klein" the brand): whole multi-word candidates equal to one of these are no person.
const ORG_NAMES = new IntHashTable(8)
for (const name of [
  ...['morgan stanley', 'goldman sachs', 'merrill lynch', 'charles schwab', 'wells fargo', 'lehman brothers'],
  ...['edward jones', 'raymond james', 'arthur andersen', 'dow jones', 'johnson controls', 'warner bros'],
  ...['walt disney', 'ralph lauren', 'calvin klein', 'tommy hilfiger', 'hugo boss', 'louis vuitton', 'christian dior'],
  ...['estee lauder', 'kate spade', 'marc jacobs', 'michael kors', 'harley davidson', 'rolls royce', 'aston martin'],
  ...['alfa romeo', 'john deere', 'jack daniels', 'johnnie walker', 'jim beam', 'tim hortons', 'ben jerry'],
  ...['washington post', 'charles river', 'morgan chase', 'marks spencer', 'sherwin williams', 'procter gamble'],
  ...['microsoft azure', 'microsoft teams', 'microsoft edge', 'amazon alexa', 'google chrome', 'adobe acrobat'],
  ...['abbott laboratories', 'eli lilly', 'bristol myers', 'bain capital'],
  // Alone, without a title or greeting before them: assistants, models and tools that prompts name far more often
  // than people so named ("Compare Claude and Gemini", "Apache Kafka"). Not "Jenkins": a surname as often ("May Jenkins").
  ...['claude', 'gemma', 'grok', 'alexa', 'siri', 'cortana', 'kafka'],
  // Planets, given names too ("Venus", "Mars"), alone: "Venus Williams" is still a person.
  ...['mercury', 'venus', 'mars', 'jupiter', 'saturn', 'uranus', 'neptune', 'pluto'],
])
  ORG_NAMES.add(hashWord(name, 0, name.length), 1)

/** Whether text[start, end), lower-cased, is one of ORG_NAMES (its words joined by single spaces). */
export function isOrganisationName(text: string, start: number, end: number): boolean {
  return end - start <= 24 && ORG_NAMES.get(hashWord(text, start, end)) !== 0
}
