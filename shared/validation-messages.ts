/**
 * zod's English issue messages, installed for every schema in the project. `zod/mini` loads no
 * locale, so without this every issue would read "Invalid input"; the policy's line-numbered
 * errors, the configuration errors and a finding's "missing" fields are all worded from these.
 * Imported for its effect by each module that builds a schema; importing `en` by name keeps the
 * other locales out of the Lambda bundles.
 */

import { en } from 'zod/locales';
import * as z from 'zod/mini';

z.config(en());
