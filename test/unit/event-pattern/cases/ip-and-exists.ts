import { ec2Event, type MatchCase, withDetail } from './fixtures.ts';

/** cidr and IP-address values, and exists true/false. */
export const ipAndExistsCases: MatchCase[] = [
  // "IP address matching".
  {
    name: 'cidr IPv4 inside',
    pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'cidr IPv4 outside',
    pattern: { ip: [{ cidr: '10.0.0.0/24' }] },
    event: { ip: '10.0.1.1' },
    matches: false,
  },
  {
    name: 'cidr with a host address',
    pattern: { ip: [{ cidr: '10.0.0.7/24' }] },
    event: { ip: '10.0.0.200' },
    matches: true,
  },
  {
    name: 'cidr IPv6 inside',
    pattern: { ip: [{ cidr: '2001:db8::/32' }] },
    event: { ip: '2001:0db8:0000:0000:0000:0000:0000:0001' },
    matches: true,
  },
  {
    name: 'cidr IPv6 outside',
    pattern: { ip: [{ cidr: '2001:db8::/32' }] },
    event: { ip: '2001:db9::1' },
    matches: false,
  },
  {
    name: 'cidr ignores values that are not addresses',
    pattern: { ip: [{ cidr: '0.0.0.0/0' }] },
    event: { ip: 'localhost' },
    matches: false,
  },
  {
    name: 'exact IP string matches another spelling',
    pattern: { ip: ['2001:db8::1'] },
    event: { ip: '2001:0db8:0:0:0:0:0:1' },
    matches: true,
  },

  // "Exists matching".
  {
    name: 'exists true on a present field',
    pattern: { detail: { state: [{ exists: true }] } },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'exists true on a missing field',
    pattern: { detail: { 'c-count2': [{ exists: true }] } },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'exists false on a missing field',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: withDetail({ state: ['initializing', 'running'] }),
    matches: true,
  },
  {
    name: 'exists false on a non-leaf field (doc example)',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: withDetail({ state: ['initializing', 'running'], 'c-count': { c1: 100 } }),
    matches: true,
  },
  {
    name: 'exists true on a non-leaf field',
    pattern: { detail: [{ exists: true }] },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'exists false on a present field',
    pattern: { detail: { state: [{ exists: false }] } },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'exists true on a null field',
    pattern: { v: [{ exists: true }] },
    event: { v: null },
    matches: true,
  },
  {
    name: 'exists true on an empty string',
    pattern: { v: [{ exists: true }] },
    event: { v: '' },
    matches: true,
  },
  {
    name: 'exists false on an empty array',
    pattern: { v: [{ exists: false }] },
    event: { v: [] },
    matches: true,
  },
  {
    name: 'exists false when the parent is missing',
    pattern: { detail: { x: { y: [{ exists: false }] } } },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'exists false or a value: missing',
    pattern: { v: [{ exists: false }, 'x'] },
    event: {},
    matches: true,
  },
  {
    name: 'exists false or a value: other value',
    pattern: { v: [{ exists: false }, 'x'] },
    event: { v: 'y' },
    matches: false,
  },
];
