import { Controller, Delete, HttpCode } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../access/access.decorators.js';
import { ApiUuidParam, UuidParam } from '../common/http/uuid-param.decorator.js';
import { ApiProblems } from '../common/swagger/api-problems.decorator.js';
import { MfaResetService } from './mfa-reset.service.js';

/** An admin's control over a user's second factors, as a sub-resource of the user. */
@ApiTags('mfa')
@Controller('users')
export class UserMfaController {
  constructor(private readonly mfa: MfaResetService) {}

  @Delete(':id/mfa')
  @HttpCode(204)
  @Access({ roles: ['admin'] })
  @ApiOperation({
    operationId: 'mfa_resetUser',
    summary: "Remove a user's second factors (admin)",
    description:
      'For a user who lost their phone and recovery codes: removes the authenticator app, the recovery codes and every passkey, and ends every session of the account. The password stays: the user signs in with it alone, then sets up factors again. Recorded as `mfa.reset`. Answers 204 whether or not the user had factors.',
  })
  @ApiNoContentResponse({ description: 'The account has no second factor and no session.' })
  @ApiProblems(400, 404)
  @ApiUuidParam()
  async reset(@UuidParam() id: string): Promise<void> {
    await this.mfa.reset(id);
  }
}
