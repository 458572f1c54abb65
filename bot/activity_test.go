package bot_test

import (
	"testing"
	"time"

	"github.com/outhook/outhook/bot"
)

func TestDecodeFixtures(t *testing.T) {
	tests := []struct {
		file                                     string
		id, from, aad, team, channel, tenant     string
		thread, locale, platform, html, mentions string
		ts                                       time.Time
	}{
		{
			file: "channel-ping.json", id: "1730291857353", from: "Zoë Müller", aad: "6b8f1b7e-3c2a-4e5d-9f10-2a3b4c5d6e7f",
			team: "19:b1e3c2f0a9d84c6fa7e5d3c2b1a09f8e@thread.tacv2", channel: "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2",
			tenant: "72f988bf-86f1-41af-91ab-2d7cd011db47", thread: "1730291857353", locale: "en-US", platform: "Web",
			html:     "<div><div><span itemscope=\"\" itemtype=\"http://schema.skype.com/Mention\" itemid=\"0\">Bot</span> ping</div>\n</div>",
			mentions: "Bot", ts: time.Date(2024, 10, 30, 12, 37, 37, 353354200, time.UTC),
		},
		{
			file: "docs-example.json", id: "1485983408511", from: "Tim Jones", team: "19:712c61d0ef384e5fa681ba90ca943398@thread.skype",
			channel: "19:253b1f341670408fb6fe51050b6e5ceb@thread.skype", thread: "1485983194839", platform: "Windows",
			html:     "<div><span contenteditable=\"false\" itemscope=\"\" itemtype=\"http://schema.skype.com/Mention\" itemid=\"0\">MyWebHook </span> Hello <span contenteditable=\"false\" itemscope=\"\" itemtype=\"http://schema.skype.com/Mention\" itemid=\"1\">Larry Brown </span></div>",
			mentions: "MyWebHook,Larry Brown", ts: time.Date(2017, 2, 1, 21, 10, 7, 437000000, time.UTC),
		},
		{
			file: "thread-deploy.json", id: "1764331200456", from: "O'Brien, Siobhán", aad: "6b8f1b7e-3c2a-4e5d-9f10-2a3b4c5d6e7f",
			team: "19:b1e3c2f0a9d84c6fa7e5d3c2b1a09f8e@thread.tacv2", channel: "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2",
			tenant: "72f988bf-86f1-41af-91ab-2d7cd011db47", thread: "1764330000123", locale: "pt-PT", platform: "iOS",
			html:     "<div><div><span itemscope=\"\" itemtype=\"http://schema.skype.com/Mention\" itemid=\"0\">Ops Bot</span>&nbsp;deploy web “staging&nbsp;eu” --reason “fix #4711 &amp; rollback” <span itemscope=\"\" itemtype=\"http://schema.skype.com/Mention\" itemid=\"1\">Ana Lima</span></div>\n</div>",
			mentions: "Ops Bot,Ana Lima", ts: time.Date(2024, 10, 30, 12, 37, 37, 353354200, time.UTC),
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var a bot.Activity
			if err := bot.DecodeActivity(fixture(t, tt.file), &a); err != nil {
				t.Fatal(err)
			}
			var names string
			for i, m := range a.Mentions() {
				if i > 0 {
					names += ","
				}
				names += m.Name
			}
			html, _ := a.HTML()
			checks := []struct{ what, got, want string }{
				{"id", a.ID, tt.id},
				{"from", a.From.Name, tt.from},
				{"aad", a.From.AADObjectID, tt.aad},
				{"team", a.Team(), tt.team},
				{"channel", a.Channel(), tt.channel},
				{"tenant", a.Tenant(), tt.tenant},
				{"thread", a.Thread(), tt.thread},
				{"locale", a.Locale, tt.locale},
				{"platform", a.ClientInfo().Platform, tt.platform},
				{"html", html, tt.html},
				{"mentions", names, tt.mentions},
				{"channelId", a.ChannelID, "msteams"},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s: got %q; want %q", c.what, c.got, c.want)
				}
			}
			if !a.Timestamp.Equal(tt.ts) {
				t.Errorf("timestamp: got %v; want %v", a.Timestamp, tt.ts)
			}
		})
	}
}
