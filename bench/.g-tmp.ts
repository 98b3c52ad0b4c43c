import { readFileSync } from 'node:fs'
import { trieSource } from '../packages/sdk/src/redact/regex-trie.js'
const texts = ['dev.jsonl','presidio-synth.jsonl'].flatMap(f=>readFileSync('/work/shared/pii/'+f,'utf8').split('\n').filter(Boolean).map(l=>JSON.parse(l).text as string))
function time(name:string, fn:(t:string)=>unknown, ms=300){ for(const t of texts) fn(t); let p=0; const t0=performance.now(); let e=0; do { for(const t of texts) fn(t); p++; e=performance.now()-t0 } while(e<ms); let c=0; for (const t of texts) if (fn(t)) c++; console.log(name.padEnd(30),(e/p).toFixed(2), c) }
const words = 'street|st|road|rd|avenue|ave|av|lane|ln|drive|dr|boulevard|blvd|court|ct|way|place|pl|terrace|close|crescent|circle|cir|parkway|pkwy|highway|hwy|square|sq|row|walk|gardens|grove|hill|alley|trail|plaza|path|loop|mews|quay|wharf|esplanade|rua|avenida|via|viale|piazza|corso|calle|carrer|paseo|rue|chemin|ulica|aleja|trg|utca|apt|apartment|suite|unit|flat|address|live|lives|living|located|send|meet|mail'.split('|')
const nonascii = ['allée','praça','náměstí','út','tér','λ.','οδός','πλατεία']
const t1 = trieSource(words), t2 = trieSource([...words, ...nonascii])
for (const [n, re] of [
  ['ascii /i', new RegExp(`[^A-Za-z0-9_](?:${t1})\\b`, 'i')],
  ['all /i', new RegExp(`[^A-Za-z0-9_](?:${t2})\\b`, 'i')],
  ['ascii case', new RegExp(`[^A-Za-z0-9_](?:${t1})\\b`)],
  ['space ascii /i', new RegExp(`[ ](?:${t1})\\b`, 'i')],
  ['\\b ascii /i', new RegExp(`\\b(?:${t1})\\b`, 'i')],
] as const) time(n, t=>re.test(t))
