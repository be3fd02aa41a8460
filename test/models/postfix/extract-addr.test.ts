/* extract-addr - the address count of extract_addr()/tok822_parse() (smtpd.c, global/tok822_parse.c v3.9.0)
 *
 * The first cases are inputs of Postfix's own parser test (global/tok822_parse.in, with the parse
 * trees in tok822_parse.ref: the number of "address" nodes at the top); the rest follow the
 * clustering loop of tok822_parse_limit() and extract_addr()'s own steps.
 */
import { describe, expect, it } from 'vitest';
import { parsedAddress } from '../../../models/postfix/extract-addr.js';

const addressCountOf = (argument: string) => parsedAddress(argument).count;
const addrSpecOf = (argument: string) => parsedAddress(argument).address;

describe('addressCountOf', () => {
  it.each([
    ['wietse@porcupine.org', 1],
    ['"wietse venema"@porcupine.org', 1],
    ['wietse @ porcupine.org', 1],
    // The comment ends at the first ')': then an atom and a quoted string, each an address of its own.
    ['"wietse venema"@porcupine.org ("wietse ) venema")', 3],
    ['"wietse venema" <wietse@porcupine.org>', 1],
    ['wietse@[stuff', 1],
    ['named group: foo@bar, baz@barf;', 2],
  ])('tok822_parse.ref: %j has %i address node(s)', (input, count) => {
    // extract_addr() strips a pair of outer <> first: none of these both starts with < and ends with >
    // (the .ref's "<1111> <2222> <3333> <4444> <>" does, so it is left out).
    expect(addressCountOf(input)).toBe(count);
  });

  it('"Add missing commas on the fly": two words with nothing between them are two addresses; a phrase before <route> is not one', () => {
    expect(addressCountOf('John Smith')).toBe(2);
    expect(addressCountOf('John Smith <js@example.test>')).toBe(1);
    expect(addressCountOf('bob@example.test, carol@example.test')).toBe(2);
  });

  it('extract_addr(): one pair of outer <> is stripped, and a source route dropped; <> holds no address at all', () => {
    expect(addressCountOf('<bob@example.test>')).toBe(1);
    expect(addressCountOf('<a> <b>')).toBe(2);
    expect(addressCountOf('<>')).toBe(0);
    expect(addressCountOf('@relay.example,@hop.example:bob@example.test')).toBe(1);
  });

  it('comments count for nothing; quoted strings and literals are one word with their escapes', () => {
    expect(addressCountOf('(nested (comment)) bob')).toBe(1);
    expect(addressCountOf('(only a comment)')).toBe(0);
    expect(addressCountOf('"a \\" b"@example.test')).toBe(1);
    expect(addressCountOf('bob@[192.0.2.1]')).toBe(1);
    expect(addressCountOf('a\\ b@example.test')).toBe(1);
  });

  // tok822_comment(): "comments can nest!", and a \ takes the next character, ")" included.
  it('a comment ends at the ) that closes its own (, not at a nested one or an escaped one', () => {
    expect(addressCountOf('(a (b) c d) bob')).toBe(1);
    expect(addressCountOf('a(\\)a')).toBe(1);
  });

  // tok822_parse_limit(): after a group ("g: ...;") or a <route> the loop goes on leftwards, so the
  // words before them still count (here two, for the missing comma).
  it('what comes before a group or a <route> is clustered too', () => {
    expect(addressCountOf('x@y z@w, g: a@b;')).toBe(3);
    expect(addressCountOf('a@b c@d, Name <e@f>')).toBe(3);
  });

  it('only an argument that starts with @ has a source route to drop, up to its first colon', () => {
    expect(addressCountOf('a b:c')).toBe(2);
    expect(addressCountOf('<@r:>')).toBe(0);
  });

  // tok822_scan_limit(): "[" and '"' collect up to their own closing character (COLLECT_SKIP_LAST),
  // white space and specials included; only \ escapes, taking the next character whatever it is.
  it('a domain literal or a quoted string is one word, up to its own close', () => {
    expect(addressCountOf('bob@[a b]')).toBe(1);
    expect(addressCountOf('bob@[192.0.2.1], carol@example.test')).toBe(2);
    expect(addressCountOf('"abc"@example.test, "d"@example.test')).toBe(2);
  });

  // The atom branch is the one that takes a leading \ (the operator test excludes it): \" is an
  // escaped quote inside an atom, so no quoted string opens and the blank still separates.
  it('a \\ at the start of a word escapes the next character instead of being an operator', () => {
    expect(addressCountOf('\\"a b')).toBe(2);
  });

  // tok822_parse_limit(): after a <route> "state |= DO_WORD" keeps DO_GROUP, so the ':' of the
  // group's name is still a STARTGRP and the name is not an address.
  it('a <route> inside a named group leaves the group open: one address', () => {
    expect(addressCountOf('group: Alice <alice@example.test>;')).toBe(1);
  });

  // The ',' case groups what lies right of it even when that starts with an operator, which the
  // missing-comma rule (two words side by side) would not catch.
  // An empty quoted string is a word like any other: the phrase before <route> is skipped over it.
  it('an empty quoted string in the phrase is part of the phrase', () => {
    expect(addressCountOf('John "" Smith <js@example.test>')).toBe(1);
  });

  it('a comma ends an address when the next one starts with an operator (a source route)', () => {
    expect(addressCountOf('bob@example.test,@relay.example:carol@example.test')).toBe(2);
  });
});

describe('addrSpecOf', () => {
  // tok822_parse.ref's "Internalized:" text of the ADDR node: no blanks between its tokens, a quoted
  // string without its quotes, \ escapes taken, a domain literal closed; comments stay outside.
  it.each([
    ['wietse @ porcupine.org', 'wietse@porcupine.org'],
    ['"wietse venema"@porcupine.org', 'wietse venema@porcupine.org'],
    ['wietse\\ venema@porcupine.org', 'wietse venema@porcupine.org'],
    ['wietse@[stuff', 'wietse@[stuff]'],
    ['"wietse venema" <wietse@porcupine.org>', 'wietse@porcupine.org'],
    ['wietse@foo (wietse\tvenema)', 'wietse@foo'],
  ])('tok822_parse.ref: %j is %j', (input, address) => {
    expect(addrSpecOf(input)).toBe(address);
  });

  it('the address of a named group is its member; of two, extract_addr() keeps the last', () => {
    expect(addrSpecOf('friends: alice@example.test;')).toBe('alice@example.test');
    expect(addrSpecOf('alice@example.test bob@example.test')).toBe('bob@example.test');
    expect(addrSpecOf('<>')).toBe('');
  });

  // COLLECT(): "if (c == '\\') c = *++s", then the character is added whatever it is: an escaped
  // operator is part of the atom, so a\@b is one word and the address keeps its @.
  it('a \\ escapes an operator into the atom: a\\@b@example.test is one address, a@b@example.test', () => {
    expect(addressCountOf('a\\@b@example.test')).toBe(1);
    expect(addrSpecOf('a\\@b@example.test')).toBe('a@b@example.test');
  });

  // COLLECT(): a \ with nothing after it takes nothing; a blank, escaped or quoted, is stored as a space.
  it('a \\ at the very end is dropped; a tab in a quoted string becomes a space', () => {
    expect(addrSpecOf('bob@example.test\\')).toBe('bob@example.test');
    expect(addrSpecOf('"a\tb"@example.test')).toBe('a b@example.test');
  });


  // extract_addr(): the outer <> are stripped only when the argument both starts with < and ends with >.
  it('an argument that starts with < but does not end with > keeps its <', () => {
    expect(addrSpecOf('<bob@example.test')).toBe('<bob@example.test');
  });

  // The route of "phrase <route>" is the last <...>: a < > inside a quoted phrase is no route.
  it('a quoted phrase holding <> before the route: the address is the route\'s', () => {
    expect(addrSpecOf('"x <y>" <alice@example.test>')).toBe('alice@example.test');
  });
});
