/**
 * XEP-0077: In-Band Registration, version 2.4. An entity creates an account on the server before
 * it authenticates, changes its password, or cancels its registration, all with
 * {@code <query xmlns='jabber:iq:register'/>}; the server announces the pre-authentication use with
 * the {@code <register xmlns='http://jabber.org/features/iq-register'/>} stream feature.
 */
package org.kaiku.protocol.ext.register;
