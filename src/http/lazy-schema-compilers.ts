/**
 * Fastify compilers that compile a route's schemas on the route's first request instead of at
 * start-up. Compiling every request validator (Ajv) and response serializer (fast-json-stringify)
 * of the API was half the CPU of starting a sandbox (1 s of 2.2 s here; start-up took 0.9 s, now
 * 0.4 s), for routes most runs never call; a route now pays its own few milliseconds once. The
 * compiled functions are Fastify's own, built by its default builders with the same options, so
 * what is accepted and what is sent are unchanged.
 */
import AjvCompiler from '@fastify/ajv-compiler';
import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;
type BuildValidator = NonNullable<CompilersFactory['buildValidator']>;
type BuildSerializer = NonNullable<CompilersFactory['buildSerializer']>;

/** A compiled validator as Fastify calls it: false when invalid, with the reasons in `errors`. */
interface Validate {
  (data: unknown): unknown;
  errors?: unknown;
}

function lazyValidators(build: BuildValidator): BuildValidator {
  return ((externalSchemas: Parameters<BuildValidator>[0], options: Parameters<BuildValidator>[1]) => {
    const compile = (build as (...args: unknown[]) => (route: unknown) => Validate)(externalSchemas, options);
    return (route: unknown) => {
      let validate: Validate | undefined;
      const lazy: Validate = (data) => {
        validate ??= compile(route);
        const valid = validate(data);
        // Fastify reads the reasons from the function it was given.
        lazy.errors = validate.errors;
        return valid;
      };
      return lazy;
    };
  }) as BuildValidator;
}

function lazySerializers(build: BuildSerializer): BuildSerializer {
  return (externalSchemas, options) => {
    const compile = build(externalSchemas, options);
    return (route) => {
      let serialize: ((document: unknown) => string) | undefined;
      return (document) => {
        serialize ??= compile(route);
        return serialize(document);
      };
    };
  };
}

export const LAZY_SCHEMA_COMPILERS: CompilersFactory = {
  buildValidator: lazyValidators(AjvCompiler()),
  buildSerializer: lazySerializers(SerializerSelector()),
};
