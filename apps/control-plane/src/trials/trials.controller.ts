import { Controller, Delete, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { TrialView } from '@trialhub/contracts';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiAnswers } from '../common/api-answers';
import { TrialsService } from './trials.service';

@ApiTags('trial')
@ApiBearerAuth()
@Controller('api/trial')
export class TrialsController {
  constructor(private readonly trials: TrialsService) {}

  @Get()
  @ApiAnswers(200, 'TrialView', "the caller's latest trial")
  current(@CurrentUser() user: AuthUser): Promise<TrialView> {
    return this.trials.currentView(user.id);
  }

  /** Ends the trial early; sessions and the workspace are torn down, saved results stay. */
  @Delete()
  @ApiAnswers(200, 'TrialView', 'the ended trial')
  end(@CurrentUser() user: AuthUser): Promise<TrialView> {
    return this.trials.endCurrent(user.id, user.email);
  }
}
