/**
 * The account entity: one sharded, event-sourced actor per bare JID holding the roster
 * (RFC 6121 section 2), presence subscriptions (section 3 and Appendix A), the bound resources
 * and their presence (RFC 6120 section 7, RFC 6121 section 4), and the delivery rules for
 * stanzas addressed to the account (RFC 6121 section 8.5).
 */
package org.kaiku.engine.user;
