/**
 * The three stanza kinds of RFC 6120 section 8 ({@code message}, {@code presence}, {@code iq}),
 * their common attributes (section 8.1) and stanza errors (section 8.3).
 */
package org.kaiku.protocol.stanza;
