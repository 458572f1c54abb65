// Package card builds the cards Teams accepts in an outgoing-webhook
// reply, validates them when they are built, and renders replies as plain
// text for a terminal.
//
// Five kinds of card can go back to Teams from an outgoing webhook:
//
//   - Adaptive Card (Adaptive): text blocks, fact sets, column sets,
//     images, containers, tables, Teams code blocks and open-URL links, up
//     to schema version 1.5 (default 1.4, raised to 1.5 when a table
//     needs it).
//   - Hero card (Hero) and thumbnail card (Thumbnail): a title, text, one
//     image and up to six link buttons.
//   - List card (List): rows that open links.
//   - Office 365 connector card (Connector, a MessageCard): sections of
//     activity lines, facts and images; up to ten sections, five images and
//     five actions a section.
//
// Each builder reads top to bottom and ends with Reply, which returns a
// bot.Reply holding the card, or Attachment, for the card alone; Reply
// (the function) combines text and several cards. Building validates
// what Teams would reject or silently not render, and returns an error
// wrapping ErrInvalid that says which part is wrong:
//
//   - Actions: an outgoing webhook has no bot behind it to receive what a
//     card sends back, so only open-URL actions pass (Action.OpenUrl,
//     openUrl buttons, OpenUri). Action.Submit, Action.Execute, imBack,
//     messageBack, invoke, signin, HttpPOST and inputs (so a ShowCard that
//     holds inputs) are errors. Action.ToggleVisibility and a ShowCard
//     without inputs work in the client alone and are allowed in cards
//     brought in with Raw, FromLibrary or Action.
//   - Required fields (an image's URL, a fact's name and value, a link's
//     title and URL, absolute http(s) URLs), the limits above, and a
//     supported Adaptive Card version.
//   - A text fallback: every card reply carries a Summary, shown in
//     notifications and where cards cannot render. It is the one set with
//     Summary, else the card's title or first text; a card with neither is
//     an error.
//
// Render shows any reply (text and every card kind) as readable plain
// text; "outhook say" and "outhook chat" use it.
//
// # Models: go-teams-notify where it fits
//
// The Adaptive Card and MessageCard models are those of
// github.com/atc0005/go-teams-notify/v2 (packages adaptivecard and
// messagecard): well kept, complete for the elements Teams renders
// (including Table and the Teams CodeBlock) and with structural
// validation, which the builders here run. Its rules target incoming
// webhooks, though, so this package adds the outgoing-webhook ones on
// top: open-URL actions only, no inputs or media, versions up to 1.5
// rather than its 1.4, the MessageCard limits, and the text fallback. Raw
// and FromLibrary accept its types directly. Hero, thumbnail and list
// cards are not in the library and are modelled here. One gap follows from
// the library's model: an Adaptive Card Image carries no alt text.
//
// Size is not checked here: bot.Fit, which the bot calls before writing
// every reply, shrinks or drops cards that would push a reply over Teams'
// limit of about 28 KB.
package card
