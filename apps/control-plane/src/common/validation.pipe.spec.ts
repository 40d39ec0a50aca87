import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { databaseInputError } from './database-input-error';
import { apiValidationPipe } from './validation.pipe';

class QuotaDto {
  @ApiPropertyOptional({ nullable: true, description: 'null = unlimited' }) @IsOptional() @IsInt() limit?: number | null;
  @ApiPropertyOptional() @IsOptional() @IsString() name?: string;
}

const body = { type: 'body' as const, metatype: QuotaDto };

describe('the validation pipe and its nets', () => {
  it('lets null into a field only where the field documents it', async () => {
    const pipe = apiValidationPipe();
    await expect(pipe.transform({ limit: null }, body)).resolves.toMatchObject({ limit: null });
    await expect(pipe.transform({ name: null }, body)).rejects.toMatchObject({ response: { message: 'name may not be null: leave it out, or send a value.' } });
    await expect(pipe.transform({ name: 'a' }, body)).resolves.toMatchObject({ name: 'a' });
  });

  it('answers PostgreSQL data exceptions (SQLSTATE 22…) as 400 and leaves every other error alone', () => {
    const invalidUuid = { message: 'x', driverError: { code: '22P02', message: 'invalid input syntax for type uuid: "zzz"' } };
    expect(databaseInputError(invalidUuid)?.getStatus()).toBe(400);
    expect(databaseInputError(invalidUuid)?.message).toMatch(/invalid input syntax for type uuid: "zzz"/);
    expect(databaseInputError({ code: '22003', message: 'value out of range' })?.getStatus()).toBe(400);
    expect(databaseInputError({ code: '23505' })).toBeNull();
    expect(databaseInputError({ code: '57P01' })).toBeNull();
    expect(databaseInputError(new Error('boom'))).toBeNull();
  });
});
