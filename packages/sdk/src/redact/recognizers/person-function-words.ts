// Function words of the languages prompts most often come in besides English (Spanish, Italian, French, German,
// Dutch, Portuguese): articles, pronouns, prepositions, conjunctions, auxiliaries, and the polite formulas that open
// or close a message. Capitalised at a sentence start they look like names ("Si tienes tiempo…", "Le prix est…",
// "Kann ich…", "Un saludo…"), and the name lists hold many of them (Si, Le, Un, Kann, Ma, Da). A hand list, short on
// purpose: the stopword packages list hundreds of content words per language ("zeit", "gut"), several of them
// given names. Used when the PERSON lexicon is built (person-lexicon-build.ts): a listed word the name lists hold
// becomes ambiguous (a lone one needs strong context; "Le Minh Chau" still reads as a name), any other one a break.
// English given names that are also function words elsewhere (Al, Ed, Del, Ella, Ben, Mia) are left out.
export const FUNCTION_WORDS: readonly string[] = [
  // Spanish
  ...['el', 'la', 'los', 'las', 'un', 'una', 'unos', 'unas', 'y', 'o', 'de', 'en', 'con', 'por', 'para', 'sin'],
  ...['si', 'no', 'que', 'qué', 'como', 'cómo', 'cuando', 'pero', 'mi', 'tu', 'su', 'sus', 'mis', 'es', 'son'],
  ...['está', 'están', 'muy', 'más', 'este', 'esta', 'estos', 'estas', 'ese', 'esa', 'hay', 'ya', 'también', 'le'],
  ...['les', 'lo', 'se', 'me', 'te', 'nos', 'buenos', 'buenas', 'gracias', 'saludos', 'estimado', 'estimada'],
  ...['querido', 'querida', 'atentamente', 'puedes', 'puede', 'tengo', 'tienes', 'quiero', 'necesito'],
  // Italian
  ...['il', 'gli', 'uno', 'di', 'da', 'con', 'per', 'tra', 'fra', 'e', 'ma', 'se', 'che', 'non', 'ti', 'ci', 'vi'],
  ...['sono', 'è', 'questo', 'questa', 'quello', 'quella', 'anche', 'più', 'molto', 'buongiorno', 'buonasera'],
  ...['grazie', 'gentile', 'gentili', 'egregio', 'egregia', 'spettabile', 'cordiali', 'saluti', 'vorrei', 'posso'],
  // French
  ...['les', 'une', 'des', 'du', 'et', 'ou', 'mais', 'je', 'il', 'elle', 'nous', 'vous', 'ils', 'elles', 'ce'],
  ...['cette', 'ces', 'mon', 'ma', 'mes', 'ton', 'ta', 'son', 'sa', 'ses', 'notre', 'votre', 'est', 'sont', 'pour'],
  ...['par', 'avec', 'sans', 'dans', 'sur', 'au', 'aux', 'qui', 'merci', 'cordialement', 'bonsoir', 'pouvez'],
  // German
  ...['der', 'die', 'das', 'den', 'dem', 'des', 'ein', 'eine', 'einen', 'einem', 'einer', 'und', 'oder', 'aber'],
  ...['wenn', 'dass', 'ich', 'du', 'er', 'sie', 'wir', 'ihr', 'ihre', 'ihnen', 'mein', 'meine', 'dein', 'sein'],
  ...['seine', 'unser', 'kann', 'können', 'muss', 'müssen', 'soll', 'wird', 'werden', 'ist', 'sind', 'hat'],
  ...['haben', 'nicht', 'auch', 'noch', 'schon', 'nur', 'mit', 'von', 'zu', 'zum', 'zur', 'bei', 'auf', 'aus'],
  ...['für', 'nach', 'vor', 'über', 'unter', 'im', 'vom', 'bitte', 'danke', 'sehr', 'geehrte', 'geehrter'],
  ...['liebe', 'lieber', 'viele', 'grüße', 'gruß', 'leider', 'heute', 'guten', 'wie', 'wo', 'wann', 'warum'],
  // Dutch
  ...['het', 'een', 'ik', 'je', 'jij', 'hij', 'zij', 'wij', 'ze', 'mijn', 'jouw', 'uw', 'zijn', 'haar', 'ons'],
  ...['onze', 'niet', 'ook', 'nog', 'met', 'voor', 'naar', 'op', 'uit', 'bij', 'om', 'dat', 'dit', 'deze', 'wat'],
  ...['hoe', 'wie', 'waar', 'graag', 'bedankt', 'groetjes', 'groeten', 'geachte', 'kunt', 'kun'],
  // Portuguese
  ...['os', 'um', 'uma', 'do', 'dos', 'das', 'em', 'na', 'nas', 'com', 'não', 'eu', 'você', 'ele', 'ela', 'nós'],
  ...['eles', 'elas', 'meu', 'minha', 'seu', 'sua', 'são', 'obrigado', 'obrigada', 'bom', 'boa'],
  // Question words and a few of the most common words of the Nordic languages, Polish, Czech, Turkish and Indonesian,
  // which open a question or a sentence ("Jak vypočítat…", "Hur gör jag…", "Husk at…").
  ...['hur', 'vad', 'var', 'när', 'varför', 'hvad', 'hvor', 'hvordan', 'hvorfor', 'hvorledes', 'husk', 'hej', 'tak'],
  ...['jak', 'co', 'kdy', 'kde', 'proč', 'gdzie', 'kiedy', 'dlaczego', 'czy', 'dane', 'nasıl', 'neden', 'nerede'],
  ...['bagaimana', 'apa', 'kapan', 'dimana', 'mengapa', 'kenapa', 'tolong', 'mohon', 'terima', 'kasih'],
  // Holidays, capitalised in these languages and given names too ("vacanze di Natale", "zu Weihnachten").
  ...['natale', 'navidad', 'pascua', 'pasqua', 'weihnachten', 'ostern', 'pfingsten', 'kerst', 'pasen', 'noël'],
]
