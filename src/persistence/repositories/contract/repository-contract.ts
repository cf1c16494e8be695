import { describe } from "node:test";
import { concurrencyContract } from "./concurrency-contract.ts";
import { equityAuditContract } from "./equity-audit-contract.ts";
import { fillContract } from "./fill-contract.ts";
import { contractTest, type OpenDriver } from "./harness.ts";
import { orderContract } from "./order-contract.ts";
import { positionBalanceContract } from "./position-balance-contract.ts";
import { strategyContract } from "./strategy-contract.ts";
import { unitOfWorkContract } from "./unit-of-work-contract.ts";

export type { OpenDriver } from "./harness.ts";

/**
 * The repository contract suite: every repository method and the unit of work, against any SQL
 * driver. Each test gets a fresh migrated database from `open` (which skips when the database is
 * not available and closes it at the end of the test). Both implementations must pass it unchanged.
 */
export function repositoryContract(name: string, open: OpenDriver): void {
  describe(`repository contract: ${name}`, () => {
    const check = contractTest(open);
    orderContract(check);
    fillContract(check);
    positionBalanceContract(check);
    strategyContract(check);
    equityAuditContract(check);
    unitOfWorkContract(check);
    concurrencyContract(check);
  });
}
