// Package access decides who may run which command: allow and deny rules
// by user (Azure AD object id), team, channel and tenant, per command and
// per argument ("deploy staging" for everyone, "deploy prod" for a few).
//
// Rules are plain structs a config file fills (Rules, Rule). Compile checks
// them against the commands the bot knows and fails on anything it does not
// understand, so a typo never opens a door. The compiled Policy answers
// Decide with a Decision that names the rule behind it, and MayRun, which
// help uses to list only what the asker may run.
//
// The semantics, in order:
//
//  1. A matching deny rule denies. Deny always wins over allow.
//  2. A command that any rule names is closed: only allow rules naming it
//     open it, for the askers and arguments they match. A "*" allow rule
//     does not open it, so "deploy prod" for a few stays with those few
//     even when "*" is allowed to a whole team.
//  3. Any other command runs for askers a "*" allow rule matches, and
//     otherwise as Rules.Default says ("allow" or "deny"; required when
//     there are rules).
//
// middleware.Access enforces a Policy in front of every command; "outhook
// policy check" explains a decision from the command line.
package access
