// The book's search worker: Material's own worker, with the query split the way the index is.
//
// Pages start this file instead of Material's worker (book/hooks/search_index.py), naming
// Material's file in "?worker=". Material builds a lunr index in the browser from
// search_index.json, whose Chinese text the build split into words with jieba and the book's
// dictionary (book/search.py). This wrapper changes only the query:
//
// * Chinese runs are split by longest match against the words of that index, the words the
//   build made (Material's own splitter never tests a run's last character: 学习率 became
//   学习). An unfinished word (过拟) is kept whole: the trailing wildcard finds 过拟合.
// * A hyphenated term (one-hot, cross-entropy) asks for both of its parts.
// * With several terms, a section must hold every one of them; only when no section does,
//   the query runs again with any of them (Material then shows the missing ones).
"use strict"

const QUERY = 2
const RESULT = 3
const HAN = /\p{Script=Han}+/gu

// Material's worker registers one message listener: keep it, to call it with our queries.
let materialListener = null
const addListener = self.addEventListener.bind(self)
self.addEventListener = (type, listener, options) => {
  if (type === "message" && materialListener === null) materialListener = listener
  else addListener(type, listener, options)
}
importScripts("workers/" + new URLSearchParams(self.location.search).get("worker"))
self.addEventListener = addListener

// The index's Chinese words, read when Material builds its index; Material's own splitter
// looks words up with `in`, which finds none, so it leaves our split terms as they are.
let words = new Set()
const build = lunr.Builder.prototype.build
lunr.Builder.prototype.build = function () {
  const index = build.call(this)
  const terms = Object.keys(index.invertedIndex)
  words = new Set(terms.filter(term => /\p{Script=Han}/u.test(term)))
  index.invertedIndex = new Proxy(index.invertedIndex, { has: () => false })
  return index
}

// Longest words of the index first; a remainder no word matches is kept whole.
function splitChinese(run) {
  const parts = []
  let start = 0
  while (start < run.length) {
    let end = run.length
    while (end > start + 1 && !words.has(run.slice(start, end))) end--
    // The rest of the run may be a word still being typed: longer than any whole word here.
    const rest = run.slice(start)
    if (rest.length > end - start && [...words].some(word => word.startsWith(rest))) {
      end = run.length
    }
    parts.push(run.slice(start, end))
    start = end
  }
  return parts
}

// The query's terms: Chinese runs split, hyphenated words in their parts (marked `joined`).
function queryTerms(query) {
  const terms = []
  for (const word of query.trim().split(/\s+/).filter(Boolean)) {
    const pieces = word.replace(HAN, run => " " + splitChinese(run).join(" ") + " ")
    for (const piece of pieces.trim().split(/\s+/)) {
      const parts = piece.split("-").filter(Boolean)
      for (const part of parts) terms.push({ text: part, joined: parts.length > 1 })
    }
  }
  return terms
}

// Lunr's syntax ("+word", "title:word", "word~1", ...) is left to Material as typed.
const SYNTAX = /[+:^~*"]|(^|\s)-/

function plan(query) {
  if (SYNTAX.test(query.replace(/(\w)-(\w)/g, "$1 $2"))) return { all: query, any: null }
  const terms = queryTerms(query)
  const any = terms.map(term => term.text).join(" ")
  if (terms.length < 2) return { all: any, any: null }
  // A stop word is dropped from the query, and a required term that is dropped matches nothing.
  const all = terms.map(term =>
    lunr.stopWordFilter(term.text.toLowerCase()) ? `+${term.text}*` : term.text
  ).join(" ")
  return { all, any }
}

// Pages in the order of all their matching sections together: the page about a topic talks
// about it in many sections, a page that only mentions it (or names it in one heading) in few.
function byPage(groups) {
  const total = group => group.reduce((sum, item) => sum + item.score, 0)
  return groups.map(group => [total(group), group]).sort((a, b) => b[0] - a[0])
    .map(([, group]) => group)
}

// The query to run again with any term, when every term was required and nothing matched.
let fallback = null
const post = self.postMessage.bind(self)
self.postMessage = message => {
  if (message.type === RESULT && fallback !== null && message.data.items.length === 0) {
    const query = fallback
    fallback = null
    materialListener({ data: { type: QUERY, data: query } })
    return
  }
  fallback = null
  if (message.type === RESULT) message.data.items = byPage(message.data.items)
  post(message)
}

addListener("message", event => {
  const message = event.data
  if (message.type === QUERY) {
    const { all, any } = plan(message.data)
    fallback = any
    materialListener({ data: { type: QUERY, data: all } })
  } else {
    materialListener({ data: message })
  }
})

// For tests that run this file outside a browser.
self.bookSearch = { plan, splitChinese }
