/**
 * XEP-0050: Ad-Hoc Commands, version 1.3.0. A requester lists an entity's commands through
 * service discovery (node {@code http://jabber.org/protocol/commands}) and runs one in a session of
 * one or more stages, each answered with a data form, notes, or both.
 */
package org.kaiku.protocol.ext.commands;
