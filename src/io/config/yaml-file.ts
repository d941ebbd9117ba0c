/**
 * A small YAML config file of a command other than training (`mtl compare`'s, `mtl sweep`'s space)
 * read and validated against its zod schema, problems listed with their lines.
 */
import type { z } from 'zod';
import { readConfigText } from './config-text.js';
import { ConfigFileError, fromZodIssue } from './issues.js';
import { YamlSource } from './yaml-source.js';

/**
 * The file's content as `schema` outputs it.
 * @param what names the file in the message when it cannot be read ('compare config').
 * @throws ConfigError when it cannot be read or is not UTF-8; ConfigFileError listing each problem with its line.
 */
export function readYamlFile<S extends z.ZodType>(file: string, schema: S, what: string): z.output<S> {
  const source = new YamlSource(readConfigText(file, what), file);
  const parsed = schema.safeParse(source.value, { reportInput: true });
  if (!parsed.success)
    throw new ConfigFileError(
      file,
      parsed.error.issues.flatMap((i) => fromZodIssue(i, schema, source)),
      what,
    );
  return parsed.data;
}
