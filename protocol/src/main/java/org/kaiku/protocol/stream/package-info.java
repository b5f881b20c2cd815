/**
 * XML stream framing of RFC 6120 section 4: stream headers, stream errors (section 4.9) and the
 * typed failure that the decoder raises for each of them.
 */
package org.kaiku.protocol.stream;
