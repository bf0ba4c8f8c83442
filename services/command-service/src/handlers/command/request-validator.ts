import type { Validator } from '@users/shared';
import { validateCommandRequest as generated } from './request.validator.generated';
import type { CommandRequestEvent } from './request-schema';

export const validateCommandRequest = generated as Validator<CommandRequestEvent>;
