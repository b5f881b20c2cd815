/**
 * XEP-0280: Message Carbons, version 1.0.1. A user's clients each see the whole conversation:
 * the server copies messages the account receives to its other carbons-enabled resources
 * ({@code <received/>}) and messages one resource sends to the others ({@code <sent/>}), each
 * copy wrapped in a XEP-0297 {@code <forwarded/>}.
 */
package org.kaiku.protocol.ext.carbons;
