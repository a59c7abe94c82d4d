/**
 * Lets Fastify infer request and reply types from the TypeBox schemas the routes declare, so a
 * handler cannot return a shape its response schema does not describe.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyTypeProvider } from 'fastify';

export interface TypeBoxTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
  serializer: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
}
