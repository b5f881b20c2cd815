/**
 * TURN over UDP (RFC 8656) on STUN (RFC 8489): {@link org.kaiku.relay.turn.TurnServer} listens and
 * authenticates, one {@link org.kaiku.relay.turn.Allocation} actor per allocation relays, and
 * {@link org.kaiku.relay.turn.TurnCredentials} holds the long-term credential mechanism with static
 * users and coturn-compatible time-limited credentials from a shared secret.
 */
package org.kaiku.relay.turn;
