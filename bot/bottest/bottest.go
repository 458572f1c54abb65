// Package bottest is a test kit for outhook bots and plugins, in the spirit
// of net/http/httptest: it builds the activities Teams posts (Message),
// signs them (NewRequest, Post), drives a real bot over HTTP (Server) or a
// handler in-process (Run), reads replies with their cards (Reply), records
// follow-ups (FollowUps) and compares cards with golden files (Golden).
//
// Message, NewRequest and Post come from package teamsim, which programs
// (such as "outhook say" and "outhook chat") use to talk to a bot as Teams
// would without linking the testing packages this kit needs.
package bottest

import (
	"net/http"

	"github.com/outhook/outhook/bot"
	"github.com/outhook/outhook/bot/teamsim"
)

// Message describes a post as a person would make it in a Teams channel;
// see teamsim.Message.
type Message = teamsim.Message

// Defaults used by Message.
const (
	DefaultTeam    = teamsim.DefaultTeam
	DefaultChannel = teamsim.DefaultChannel
	DefaultTenant  = teamsim.DefaultTenant
)

// NewRequest returns a POST of body to url signed with token, with the
// headers Teams sends; see teamsim.NewRequest.
func NewRequest(url, token string, body []byte) (*http.Request, error) {
	return teamsim.NewRequest(url, token, body)
}

// Post signs body with token, posts it to url with client and decodes the
// reply; see teamsim.Post.
func Post(client *http.Client, url, token string, body []byte) (bot.Reply, error) {
	return teamsim.Post(client, url, token, body)
}
