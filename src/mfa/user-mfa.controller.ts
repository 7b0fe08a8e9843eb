import { Controller, Delete, HttpCode } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators.js';
import { ApiUuidParam, UuidParam } from '../common/http/uuid-param.decorator.js';
import { ApiProblems } from '../common/swagger/api-problems.decorator.js';
import { MfaResetService } from './mfa-reset.service.js';

/** An admin's control over a user's second factors, as a sub-resource of the user. */
@ApiTags('mfa')
@Controller('users')
export class UserMfaController {
  constructor(private readonly mfa: MfaResetService) {}

  @Delete(':id/mfa')
  @Roles('admin')
  @HttpCode(204)
  @ApiBearerAuth('bearer')
  @ApiOperation({
    operationId: 'mfa_resetUser',
    summary: "Remove a user's second factors (admin)",
    description:
      'For a user who lost their phone and recovery codes: removes the authenticator app, the recovery codes and every passkey, and ends every session of the account. The password stays: the user signs in with it alone, then sets up factors again. Recorded as `mfa.reset`. Answers 204 whether or not the user had factors.',
  })
  @ApiNoContentResponse({ description: 'The account has no second factor and no session.' })
  @ApiProblems(400, 401, 403, 404)
  @ApiUuidParam()
  async reset(@UuidParam() id: string): Promise<void> {
    await this.mfa.reset(id);
  }
}
