package router

import suggestpkg "github.com/outhook/outhook/internal/suggest"

// suggest returns the candidates close to word, closest first (see
// suggest.Words).
func suggest(word string, candidates []string) []string { return suggestpkg.Words(word, candidates) }
