// Package subscription is outhook's answer to Office 365 connectors: a
// channel subscribes to a feed (a weather forecast, a status digest, any
// JSON service rendered through a card template) on a schedule, and
// outhook posts each run through the channel's incoming webhook.
//
// The parts:
//
//   - Subscription is what a channel asked for: a feed, its options, a
//     Schedule in a time zone, and where to post;
//   - Feed renders a reply or card under a deadline; Feeds is a registry
//     of them, and HTTPFeed is one built from configuration alone;
//   - List, Create, Update, Delete, Export and Import keep subscriptions
//     in a store.Store, per channel;
//   - Scheduler ticks on a Clock and runs what is due. Each run is claimed
//     in the store with CompareAndSwap, so with several replicas sharing a
//     store (Redis) each scheduled run is posted once; a run missed while
//     no replica was up is skipped or run once, as the subscription says.
//
// Delivery is at most once: the run is claimed before it is posted, and
// the follow-up's Key (subscription id and scheduled time) lets the
// poster drop a duplicate. A failed post is not retried beyond the
// poster's own retries; the outcome is kept on the subscription.
package subscription
