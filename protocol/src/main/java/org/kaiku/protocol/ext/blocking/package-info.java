/**
 * XEP-0191: Blocking Command, version 1.3. A user's list of JIDs whose stanzas the server
 * neither delivers to the user nor routes from the user to them; kept by the server across
 * sessions, managed with {@code <blocklist/>}, {@code <block/>} and {@code <unblock/>}.
 */
package org.kaiku.protocol.ext.blocking;
